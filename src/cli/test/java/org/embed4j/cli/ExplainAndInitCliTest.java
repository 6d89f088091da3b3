package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.io.Json;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict --explain, train-classifier --init (both model kinds) and --tensorboard, through the command line. */
class ExplainAndInitCliTest {
    @TempDir
    Path dir;

    @Test
    void predictExplainPrintsOneJsonObjectPerLineWhoseSharesAddUp() throws Exception {
        Path model = dir.resolve("trec.e4jc");
        ClassifierFixtures.trec().save(model);
        CliRun r = CliRun.run(
                "Who wrote Hamlet ?\nHow far is the moon ?\n",
                "predict",
                model.toString(),
                "-k",
                "2",
                "--explain",
                "--explain-terms",
                "0");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size());
        for (String line : lines) {
            Map<String, Object> o = Json.parseObject(line);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> labels = (List<Map<String, Object>>) o.get("labels");
            assertEquals(2, labels.size());
            for (Map<String, Object> l : labels) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> terms = (List<Map<String, Object>>) l.get("contributions");
                double sum = terms.stream()
                        .mapToDouble(t -> ((Number) t.get("value")).doubleValue())
                        .sum();
                double logit = ((Number) l.get("logit")).doubleValue();
                assertEquals(logit, sum + ((Number) l.get("bias")).doubleValue(), 1e-6, line);
            }
        }
        CliRun top3 =
                CliRun.run("Who wrote Hamlet ?\n", "predict", model.toString(), "--explain", "--explain-terms", "3");
        Map<String, Object> o = Json.parseObject(top3.out().strip());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> labels = (List<Map<String, Object>>) o.get("labels");
        assertEquals(3, ((List<?>) labels.getFirst().get("contributions")).size());
    }

    @Test
    void trainClassifierInitFineTunesBothKindsAndWritesTensorBoardEvents() throws Exception {
        List<String> lines = Files.readAllLines(ClassifierFixtures.resource("trec-400.train.txt"));
        Path oldData = Files.write(
                dir.resolve("old.txt"),
                lines.subList(0, 200).stream()
                        .filter(l -> !l.startsWith("__label__NUM"))
                        .collect(Collectors.toList()));
        Path newData = Files.write(dir.resolve("new.txt"), lines.subList(200, 400));
        String test = ClassifierFixtures.resource("trec-150.test.txt").toString();
        Path old = dir.resolve("old.e4jc");
        Path tuned = dir.resolve("tuned.e4jc");
        CliRun a = CliRun.run(
                "",
                "train-classifier",
                "--train",
                oldData.toString(),
                "--test",
                test,
                "--output",
                old.toString(),
                "--quiet");
        assertEquals(0, a.exitCode(), a.err());
        Path tb = dir.resolve("tb");
        CliRun b = CliRun.run(
                "",
                "train-classifier",
                "--train",
                newData.toString(),
                "--test",
                test,
                "--output",
                tuned.toString(),
                "--init",
                old.toString(),
                "--dim",
                "7",
                "--tensorboard",
                tb.toString(),
                "--quiet");
        assertEquals(0, b.exitCode(), b.err());
        assertTrue(b.out().contains("fine-tuning " + old), b.out());
        TextClassifier t = TextClassifier.load(tuned);
        assertEquals(100, t.dim(), "the architecture is the model's, --dim is ignored");
        assertEquals("NUM", t.labels().getLast());
        try (var files = Files.list(tb)) {
            var events = org.embed4j.cli.tensorboard.EventFileTest.read(
                    files.findFirst().orElseThrow());
            assertEquals(
                    5,
                    events.stream().filter(e -> e.scalars().containsKey("loss")).count(),
                    "one per epoch");
        }

        Path oldMlp = dir.resolve("old.mlp");
        Path tunedMlp = dir.resolve("tuned.mlp");
        assertEquals(
                0,
                CliRun.run(
                                "",
                                "train-classifier",
                                "--model",
                                "mlp",
                                "--train",
                                oldData.toString(),
                                "--test",
                                test,
                                "--output",
                                oldMlp.toString(),
                                "--epoch",
                                "3",
                                "--quiet")
                        .exitCode());
        CliRun m = CliRun.run(
                "",
                "train-classifier",
                "--train",
                newData.toString(),
                "--test",
                test,
                "--output",
                tunedMlp.toString(),
                "--init",
                oldMlp.toString(),
                "--epoch",
                "3",
                "--quiet");
        assertEquals(0, m.exitCode(), m.err());
        MlpClassifier mlp = MlpClassifier.load(tunedMlp);
        assertEquals("NUM", mlp.labels().getLast());
        assertEquals(
                MlpClassifier.load(oldMlp).words(),
                mlp.words().subList(0, MlpClassifier.load(oldMlp).words().size()));

        CliRun wrongKind = CliRun.run(
                "",
                "train-classifier",
                "--model",
                "fasttext",
                "--train",
                newData.toString(),
                "--output",
                dir.resolve("x").toString(),
                "--init",
                oldMlp.toString(),
                "--quiet");
        assertEquals(1, wrongKind.exitCode());
        assertTrue(
                wrongKind.err().contains("is a MLP model") || wrongKind.err().contains("MLP model"), wrongKind.err());
    }
}
