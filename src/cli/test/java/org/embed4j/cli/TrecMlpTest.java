package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.embed4j.backend.Backends;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.classify.mlp.MlpConfig;
import org.embed4j.classify.mlp.MlpTrainer;
import org.embed4j.cli.data.Datasets;
import org.embed4j.testing.TestFiles;
import org.junit.jupiter.api.Test;

/**
 * End to end: the MLP classifier (TextMlp) trained with the default settings on the TREC fixture (official
 * 5,452 / 500 split, copied into src/test/resources/trec; 10% of the training set held out for early stopping) on
 * the default backend reaches >= 85% test accuracy, and its training loss falls.
 */
class TrecMlpTest {

    private static Path resource(String name) {
        return TestFiles.resource("/trec/" + name);
    }

    @Test
    void defaultConfigReaches85PercentOnTrecTest() throws Exception {
        List<LabeledText> train = Datasets.readTrec(resource("train.txt"), false);
        List<LabeledText> test = Datasets.readTrec(resource("test.txt"), false);
        assertEquals(5452, train.size());
        assertEquals(500, test.size());
        MlpTrainer.Result r = new MlpTrainer(MlpConfig.defaults(), Backends.auto()).train(train);
        assertEquals(
                List.of("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"),
                r.classifier().labels());
        assertTrue(r.epochLoss().getLast() < r.epochLoss().getFirst() / 2, "training loss falls: " + r.epochLoss());
        double accuracy = accuracy(r.classifier(), test);
        assertTrue(
                accuracy >= 0.85,
                "test accuracy " + accuracy + " on " + Backends.auto().name() + " is below the 85% target");
    }

    @Test
    void malformedLinesNameTheFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.txt");
        java.nio.file.Files.writeString(f, "NUM:count How many ?\nno label here\n");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class, () -> Datasets.readTrec(f, false));
        assertTrue(e.getMessage().contains("bad.txt:2"), e.getMessage());
    }

    private static double accuracy(MlpClassifier c, List<LabeledText> examples) {
        int correct = 0;
        for (LabeledText e : examples) {
            if (c.predict(e.text(), 1).get(0).label().equals(e.label())) {
                correct++;
            }
        }
        return correct / (double) examples.size();
    }
}
