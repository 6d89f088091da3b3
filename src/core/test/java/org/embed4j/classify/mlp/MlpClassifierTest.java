package org.embed4j.classify.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Prediction;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The saved MLP: one file that loads back bit for bit, refuses bad files by name, and predicts from many threads. */
class MlpClassifierTest {

    @Test
    void saveAndLoadGiveIdenticalProbabilities(@TempDir Path dir) throws Exception {
        MlpClassifier model = MlpFixtures.trained().classifier();
        Path file = dir.resolve("trec.mlp.safetensors");
        model.save(file);
        MlpClassifier loaded = MlpClassifier.load(file);
        assertEquals(model.labels(), loaded.labels());
        assertEquals(model.words(), loaded.words());
        assertEquals(model.config(), loaded.config());
        for (LabeledText e : MlpFixtures.test()) {
            assertArrayEquals(model.probabilities(e.text()), loaded.probabilities(e.text()), e.text());
        }
        assertArrayEquals(
                model.probabilities("zzz unknown words only"), loaded.probabilities("zzz unknown words only"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> !p.equals(file)).toList(), "no temporary file left behind");
        }
    }

    @Test
    void probabilitiesAreADistributionAndPredictRanksThem() throws Exception {
        MlpClassifier model = MlpFixtures.trained().classifier();
        String text = MlpFixtures.test().get(0).text();
        float[] p = model.probabilities(text);
        double sum = 0;
        for (float x : p) {
            assertTrue(x >= 0 && x <= 1, "probability " + x);
            sum += x;
        }
        assertEquals(1.0, sum, 1e-5);
        List<Prediction> top = model.predict(text, 100);
        assertEquals(model.labels().size(), top.size(), "k is capped at the number of labels");
        for (int i = 1; i < top.size(); i++) {
            assertTrue(top.get(i - 1).probability() >= top.get(i).probability(), top.toString());
        }
        assertEquals(p[model.labels().indexOf(top.get(0).label())], top.get(0).probability(), 0.0);
        assertEquals(
                "k must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> model.predict(text, 0))
                        .getMessage());
    }

    @Test
    void concurrentPredictionsEqualSequentialOnes() throws Exception {
        MlpClassifier model = MlpFixtures.trained().classifier();
        List<String> texts = new ArrayList<>();
        MlpFixtures.test().forEach(e -> texts.add(e.text()));
        List<float[]> expected = new ArrayList<>();
        texts.forEach(t -> expected.add(model.probabilities(t)));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<float[]>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int shift = t * 17; // every thread walks the texts from a different start, so calls overlap
                futures.add(pool.submit(() -> {
                    List<float[]> out = new ArrayList<>(texts.size());
                    for (int round = 0; round < 5; round++) {
                        out.clear();
                        for (int i = 0; i < texts.size(); i++) {
                            out.add(null);
                        }
                        for (int j = 0; j < texts.size(); j++) {
                            int i = (j + shift) % texts.size();
                            out.set(i, model.probabilities(texts.get(i)));
                        }
                    }
                    return out;
                }));
            }
            for (Future<List<float[]>> f : futures) {
                List<float[]> got = f.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(expected.get(i), got.get(i), texts.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void termsStopAtTheTextsLengthWhateverTheNgramLimit() {
        List<String> all = List.of("a", "b", "c", "a b", "b c", "a b c");
        assertEquals(all, MlpClassifier.terms("a b c", 3));
        // a limit near Integer.MAX_VALUE (a model file can say so) gives the same terms instead of counting n past it
        assertEquals(all, MlpClassifier.terms("a b c", Integer.MAX_VALUE));
        assertEquals(List.of("a", "b", "a b"), MlpClassifier.terms("a b", 5));
        assertEquals(List.of(), MlpClassifier.terms("", Integer.MAX_VALUE));
    }

    @Test
    void emptyFileIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.safetensors"));
        IOException e = assertThrows(IOException.class, () -> MlpClassifier.load(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void newerVersionIsRefusedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        MlpFixtures.trained().classifier().save(file);
        Path newer = rewriteMetadata(file, dir.resolve("newer.safetensors"), "version", "2");
        IOException e = assertThrows(IOException.class, () -> MlpClassifier.load(newer));
        assertTrue(
                e.getMessage().contains("newer embed4j (MLP format version 2)")
                        && e.getMessage().contains("reads version " + MlpFile.VERSION),
                e.getMessage());
    }

    @Test
    void foreignSafetensorsIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        MlpFixtures.trained().classifier().save(file);
        Path foreign = rewriteMetadata(file, dir.resolve("pt.safetensors"), "format", "pt");
        IOException e = assertThrows(IOException.class, () -> MlpClassifier.load(foreign));
        assertTrue(
                e.getMessage().contains("not an embed4j MLP classifier")
                        && e.getMessage().contains("\"pt\""),
                e.getMessage());
    }

    @Test
    void shapesThatContradictTheVocabularyAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        MlpFixtures.trained().classifier().save(file);
        Path bad = rewriteMetadata(file, dir.resolve("bad.safetensors"), "labels", "[\"A\",\"B\"]");
        IOException e = assertThrows(IOException.class, () -> MlpClassifier.load(bad));
        assertTrue(e.getMessage().contains("output.weight") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void truncatedFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        MlpFixtures.trained().classifier().save(file);
        byte[] bytes = Files.readAllBytes(file);
        for (int keep : new int[] {bytes.length - 1, bytes.length / 2, 12, 5}) {
            Path cut = dir.resolve("cut-" + keep + ".safetensors");
            Files.write(cut, java.util.Arrays.copyOf(bytes, keep));
            IOException e = assertThrows(IOException.class, () -> MlpClassifier.load(cut), "kept " + keep);
            assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        }
    }

    /** A copy of {@code file} with one metadata entry replaced. */
    private static Path rewriteMetadata(Path file, Path target, String key, String value) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(Safetensors.metadata(file));
        meta.put(key, value);
        LinkedHashMap<String, Tensor> tensors = Safetensors.read(file);
        try {
            Safetensors.write(target, tensors, meta);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
        return target;
    }
}
