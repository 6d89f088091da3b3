package org.embed4j.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.embed4j.classify.LabeledText;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every loader against the sizes and class counts that shared/data/README.md states. */
class DatasetsTest {

    static Path root() {
        Path p = Path.of(System.getProperty("embed4j.shared.data", "../shared/data"))
                .resolve("classify");
        Assumptions.assumeTrue(Files.isDirectory(p), "shared/data/classify not present: " + p);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, train, test, classes
        "mr, 10662, 0, 2",
        "sst2, 6920, 1821, 2",
        "sst5, 8544, 2210, 5",
        "trec, 5452, 500, 6",
        "trec-fine, 5452, 500, 50",
        "subj, 10000, 0, 2",
        "mpqa, 10603, 0, 2", // 10,606 lines, 3 of them blank
        "sms, 5574, 0, 2",
        "spamassassin, 6046, 0, 2",
        "pros-cons, 45867, 0, 2", // 45,877 lines: 2 blank, 8 with an empty <Pros></Pros> or <Cons></Cons>
        "ag-news, 7600, 0, 4",
        "movie-reviews, 2000, 0, 2",
        "20ng, 11314, 7532, 20",
        "imdb, 25000, 25000, 2",
    })
    void sizesMatchTheDataReadme(String name, int train, int test, int classes) throws Exception {
        LabeledData data = Datasets.load(name, root());
        assertEquals(train, data.train().size(), "train size of " + name);
        assertEquals(test, data.test().size(), "test size of " + name);
        assertEquals(test > 0, data.officialSplit());
        assertEquals(
                classes, data.all().stream().map(LabeledText::label).distinct().count(), "classes of " + name);
        assertTrue(
                data.all().stream().noneMatch(e -> e.text().isBlank())
                        || name.equals("20ng")
                        || name.equals("spamassassin"),
                "no blank texts in " + name);
    }

    @Test
    void classBalanceOfSmsAndSpamAssassin() throws Exception {
        Map<String, Long> sms = counts(Datasets.load("sms", root()));
        assertEquals(Map.of("ham", 4827L, "spam", 747L), sms);
        Map<String, Long> sa = counts(Datasets.load("spamassassin", root()));
        assertEquals(Map.of("ham", 4150L, "spam", 1896L), sa);
    }

    @Test
    void newsgroupPostsLoseTheirHeaders() throws Exception {
        LabeledData ng = Datasets.load("20ng", root());
        // a few posts quote a forwarded message's headers in their body; the post's own headers are gone
        long withFromHeader =
                ng.train().stream().filter(e -> e.text().startsWith("From:")).count();
        assertTrue(withFromHeader < ng.train().size() / 100, withFromHeader + " posts still start with a From: header");
        assertFalse(ng.train()
                .get(0)
                .text()
                .contains("Newsgroups: " + ng.train().get(0).label()));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Datasets.load("nope", Path.of("/nonexistent")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("trec"), e.getMessage());
    }

    @Test
    void csvFieldsHandleQuotesAndEscapes() {
        assertEquals(java.util.List.of("3", "a, \"b\"", "c"), Datasets.csvFields("\"3\",\"a, \"\"b\"\"\",\"c\""));
    }

    private static Map<String, Long> counts(LabeledData d) {
        return d.all().stream().collect(Collectors.groupingBy(LabeledText::label, TreeMap::new, Collectors.counting()));
    }
}
