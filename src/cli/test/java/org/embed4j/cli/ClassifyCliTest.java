package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.classify.ClassifierLoss;
import org.embed4j.classify.ClassifierMetrics;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-classifier, test-classifier and predict end to end on the fixtures, through the real command line. */
class ClassifyCliTest {
    @Test
    void trainTestPredictAgreeWithTheLibrary(@TempDir Path dir) throws Exception {
        String train = ClassifierFixtures.resource("trec-400.train.txt").toString();
        String test = ClassifierFixtures.resource("trec-150.test.txt").toString();
        Path model = dir.resolve("trec.e4jc");
        Path split = dir.resolve("split");
        CliRun t = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train,
                "--test",
                test,
                "--output",
                model.toString(),
                "--dim",
                "16",
                "--word-ngrams",
                "2",
                "--bucket",
                "20000",
                "--epoch",
                "30",
                "--lr",
                "0.5",
                "--seed",
                "42",
                "--quiet",
                "--write-split",
                split.toString(),
                "--metrics",
                dir.resolve("m.jsonl").toString());
        assertEquals(0, t.exitCode(), t.err());
        assertTrue(t.out().contains("test accuracy"), t.out());
        assertEquals(30, Files.readAllLines(dir.resolve("m.jsonl")).size());
        assertEquals(400, Files.readAllLines(split.resolve("train.txt")).size());

        // the CLI's model is the library's model for the same options
        TextClassifier lib = ClassifierFixtures.trec();
        TextClassifier cli = TextClassifier.load(model);
        List<LabeledText> examples = ClassifierFixtures.read("trec-150.test.txt");
        double accuracy = ClassifierMetrics.evaluate(lib, examples, 1).accuracy();
        ClassifierCliChecks.testAndPredictAgree(
                cli,
                model,
                test,
                accuracy,
                examples.subList(0, 20).stream().map(LabeledText::text).toList());
        assertEquals(
                lib.predict(examples.get(0).text(), 3),
                cli.predict(examples.get(0).text(), 3));
    }

    @Test
    void badInputGivesOneClearLineAndExitCode1(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        CliRun r = CliRun.run(
                "",
                "train-classifier",
                "--train",
                empty.toString(),
                "--output",
                dir.resolve("m").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("no examples"), r.err());
        r = CliRun.run(
                "",
                "train-classifier",
                "--train",
                "no-such-set",
                "--output",
                dir.resolve("m").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("no-such-set") && r.err().contains("trec"), r.err());
        r = CliRun.run("", "predict", dir.resolve("missing.e4jc").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("missing.e4jc"), r.err());
    }

    @Test
    void lossOptionsAndClassifierQuantization(@TempDir Path dir) throws Exception {
        String train = ClassifierFixtures.resource("trec-400.train.txt").toString();
        String test = ClassifierFixtures.resource("trec-150.test.txt").toString();
        Path model = dir.resolve("hs.e4jc");
        CliRun t = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train,
                "--output",
                model.toString(),
                "--dim",
                "16",
                "--word-ngrams",
                "2",
                "--bucket",
                "20000",
                "--epoch",
                "10",
                "--lr",
                "0.5",
                "--loss",
                "hs",
                "--quiet");
        assertEquals(0, t.exitCode(), t.err());
        assertEquals(ClassifierLoss.HS, TextClassifier.load(model).options().loss());

        CliRun bad = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train,
                "--output",
                dir.resolve("x").toString(),
                "--loss",
                "ns",
                "--neg",
                "0");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("neg must be in [1, 1000], got 0"), bad.err());
        bad = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train,
                "--output",
                dir.resolve("x").toString(),
                "--loss",
                "hsm");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("unknown loss \"hsm\""), bad.err());

        Path quantized = dir.resolve("hs-int8.e4jc");
        CliRun q = CliRun.run(
                "",
                "quantize",
                "--model",
                model.toString(),
                "--output",
                quantized.toString(),
                "--int8",
                "--test",
                test);
        assertEquals(0, q.exitCode(), q.err());
        TextClassifier loaded = TextClassifier.load(quantized);
        assertEquals(java.util.Optional.of(org.embed4j.deploy.Precision.INT8), loaded.precision());
        double after = ClassifierMetrics.evaluate(loaded, ClassifierFixtures.read("trec-150.test.txt"), 1)
                .accuracy();
        assertTrue(
                q.out().contains("size ratio")
                        && q.out().contains("test accuracy: before")
                        && q.out().contains(String.format(java.util.Locale.ROOT, "after %.2f%%", 100 * after)),
                q.out());

        CliRun again = CliRun.run(
                "",
                "quantize",
                "--model",
                quantized.toString(),
                "--output",
                dir.resolve("q2").toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("already quantized"), again.err());
        CliRun bothPrecisions = CliRun.run(
                "",
                "quantize",
                "--model",
                model.toString(),
                "--output",
                dir.resolve("q3").toString(),
                "--int8",
                "--fp16");
        assertEquals(1, bothPrecisions.exitCode());
        assertTrue(bothPrecisions.err().contains("not both"), bothPrecisions.err());
    }

    @Test
    void crossValidationWritesEveryFoldForOtherTools(@TempDir Path dir) throws Exception {
        Path train = ClassifierFixtures.resource("trec-400.train.txt");
        Path split = dir.resolve("folds");
        CliRun r = CliRun.run(
                "",
                "train-classifier",
                "--train",
                train.toString(),
                "--cv",
                "3",
                "--dim",
                "8",
                "--epoch",
                "2",
                "--quiet",
                "--write-split",
                split.toString());
        assertEquals(0, r.exitCode(), r.err());
        long examples =
                Files.readAllLines(train).stream().filter(l -> !l.isBlank()).count();
        long tested = 0;
        for (int f = 1; f <= 3; f++) {
            Path fold = split.resolve(String.format("fold-%02d", f));
            long trainLines = Files.readAllLines(fold.resolve("train.txt")).size();
            long testLines = Files.readAllLines(fold.resolve("test.txt")).size();
            assertEquals(examples, trainLines + testLines, "fold " + f + " holds every example once");
            assertTrue(
                    testLines >= examples / 3 - 10 && testLines <= examples / 3 + 10, "fold " + f + ": " + testLines);
            tested += testLines;
        }
        assertEquals(examples, tested, "every example is tested in exactly one fold");
        assertTrue(r.out().contains("3-fold accuracy"), r.out());
    }
}
