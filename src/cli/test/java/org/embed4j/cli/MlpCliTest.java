package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-classifier --model mlp, test-classifier and predict end to end on the fixtures, through the real command line. */
class MlpCliTest {
    @Test
    void trainSaveTestAndPredictAgreeWithTheLoadedModel(@TempDir Path dir) throws Exception {
        String train = MlpFixtures.resource("trec-400.train.txt").toString();
        String test = MlpFixtures.resource("trec-150.test.txt").toString();
        Path model = dir.resolve("trec.mlp");
        CliRun t = CliRun.run(
                "",
                "train-classifier",
                "--model",
                "mlp",
                "--train",
                train,
                "--test",
                test,
                "--output",
                model.toString(),
                "--dim",
                "32",
                "--hidden",
                "32",
                "--batch-size",
                "16",
                "--epoch",
                "20",
                "--min-count",
                "1",
                "--word-ngrams",
                "1",
                "--dropout",
                "0.3",
                "--seed",
                "7",
                "--quiet");
        assertEquals(0, t.exitCode(), t.err());
        assertTrue(t.out().contains("(40 held out as dev)") && t.out().contains("kept epoch"), t.out());

        // the CLI's model is the library's model for the same settings
        MlpClassifier cli = MlpClassifier.load(model);
        MlpClassifier lib = MlpFixtures.trained().classifier();
        List<LabeledText> examples = MlpFixtures.test();
        for (LabeledText e : examples) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    lib.probabilities(e.text()), cli.probabilities(e.text()));
        }
        double accuracy = MlpFixtures.accuracy(cli, examples);
        assertTrue(t.out().contains(String.format("test accuracy %.2f%%", 100 * accuracy)), t.out());

        ClassifierCliChecks.testAndPredictAgree(
                cli,
                model,
                test,
                accuracy,
                examples.subList(0, 20).stream().map(LabeledText::text).toList());
    }

    @Test
    void crossValidationRunsOneMlpPerFold() throws Exception {
        String train = MlpFixtures.resource("trec-400.train.txt").toString();
        CliRun r = CliRun.run(
                "",
                "train-classifier",
                "--model",
                "mlp",
                "--train",
                train,
                "--cv",
                "3",
                "--dim",
                "16",
                "--hidden",
                "16",
                "--epoch",
                "3",
                "--min-count",
                "1",
                "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("fold 3: accuracy") && r.out().contains("3-fold accuracy"), r.out());
    }

    @Test
    void unknownModelFilesAndFastTextOnlyOptionsAreRefused(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.bin"), "this is not a model at all");
        CliRun s = CliRun.run(
                "",
                "test-classifier",
                junk.toString(),
                MlpFixtures.resource("trec-150.test.txt").toString());
        assertEquals(1, s.exitCode());
        assertTrue(s.err().contains("junk.bin") && s.err().contains("not an embed4j classifier"), s.err());

        Path empty = Files.createFile(dir.resolve("empty.model"));
        CliRun p = CliRun.run("some text\n", "predict", empty.toString());
        assertEquals(1, p.exitCode());
        assertTrue(p.err().contains("empty"), p.err());

        CliRun b = CliRun.run(
                "",
                "train-classifier",
                "--model",
                "mlp",
                "--train",
                MlpFixtures.resource("trec-400.train.txt").toString(),
                "--bucket",
                "1000",
                "--output",
                dir.resolve("m").toString());
        assertEquals(1, b.exitCode());
        assertTrue(b.err().contains("--bucket applies to --model fasttext only"), b.err());
    }
}
