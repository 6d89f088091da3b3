package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;
import org.embed4j.classify.TextFormats;
import org.embed4j.cli.data.MailText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitsAndFormatsTest {

    private static List<LabeledText> examples(int a, int b) {
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < a; i++) {
            out.add(LabeledText.of("a", "a" + i));
        }
        for (int i = 0; i < b; i++) {
            out.add(LabeledText.of("b", "b" + i));
        }
        return out;
    }

    @Test
    void foldsPartitionTheDataAndKeepClassProportions() {
        List<LabeledText> data = examples(90, 30);
        List<Splits.Fold> folds = Splits.stratifiedKFold(data, 10, 7);
        var seen = new HashSet<String>();
        for (Splits.Fold f : folds) {
            assertEquals(12, f.test().size());
            assertEquals(108, f.train().size());
            assertEquals(9, f.test().stream().filter(e -> e.label().equals("a")).count());
            f.test().forEach(e -> assertTrue(seen.add(e.text()), "example in two test folds: " + e.text()));
        }
        assertEquals(120, seen.size());
    }

    @Test
    void sameSeedSameFoldsOtherSeedOtherFolds() {
        List<LabeledText> data = examples(50, 50);
        assertEquals(Splits.holdout90(data, 1).test(), Splits.holdout90(data, 1).test());
        assertTrue(!Splits.holdout90(data, 1)
                .test()
                .equals(Splits.holdout90(data, 2).test()));
    }

    @Test
    void fastTextFormatWithSeveralLabels(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "__label__a __label__b hello world\n\n__label__c bye\n");
        List<LabeledText> d = TextFormats.read(f);
        assertEquals(List.of("a", "b"), d.get(0).labels());
        assertEquals("hello world", d.get(0).text());
        assertEquals("c", d.get(1).label());
    }

    @Test
    void badFilesGiveErrorsNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TextFormats.read(empty))
                .getMessage()
                .contains("no examples"));
        Path noLabel = Files.writeString(dir.resolve("nolabel.txt"), "__label__a ok\njust text\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TextFormats.readFastText(noLabel));
        assertTrue(e.getMessage().contains("nolabel.txt:2"), e.getMessage());
        Path tsv = Files.writeString(dir.resolve("x.tsv"), "pos\tgood\nnotab\n");
        var e2 = assertThrows(IllegalArgumentException.class, () -> TextFormats.readTsv(tsv));
        assertTrue(e2.getMessage().contains("x.tsv:2"), e2.getMessage());
    }

    @Test
    void mailBodyDropsHeaders() {
        assertEquals("body\ntext", MailText.body("From: x\r\nSubject: y\r\n\r\nbody\r\ntext"));
        assertEquals("no headers", MailText.body("no headers"));
    }
}
