package org.embed4j.examples.mlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * End to end: the seed article's classifier trained with the default settings on the TREC fixture (official
 * 5,452 / 500 split, copied into src/test/resources/trec; 10% of the training set held out for early stopping) on
 * the default backend reaches >= 85% test accuracy, and its training loss falls.
 */
class TrecMlpTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TrecMlpTest.class.getResource("/trec/" + name).toURI());
    }

    @Test
    void defaultConfigReaches85PercentOnTrecTest() throws Exception {
        List<LabeledText> train = LabeledText.readTrec(resource("train.txt"));
        List<LabeledText> test = LabeledText.readTrec(resource("test.txt"));
        assertEquals(5452, train.size());
        assertEquals(500, test.size());
        MlpTrainer.Result r = new MlpTrainer(MlpConfig.defaults(), Backends.auto()).train(train, false);
        assertEquals(List.of("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"), r.classifier().labels());
        assertTrue(r.epochLoss().getLast() < r.epochLoss().getFirst() / 2,
                "training loss falls: " + r.epochLoss());
        double accuracy = MlpFixtures.accuracy(r.classifier(), test);
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy + " on " + Backends.auto().name()
                + " is below the 85% target");
    }

    @Test
    void malformedLinesNameTheFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.txt");
        java.nio.file.Files.writeString(f, "NUM:count How many ?\nno label here\n");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> LabeledText.readTrec(f));
        assertTrue(e.getMessage().contains("bad.txt:2"), e.getMessage());
    }
}
