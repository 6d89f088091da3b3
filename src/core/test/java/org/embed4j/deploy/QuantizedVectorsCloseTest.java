package org.embed4j.deploy;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.testing.CloseUnderLoad;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QuantizedVectors.close() under load, and an embedder over closed vectors. */
class QuantizedVectorsCloseTest {
    @TempDir
    Path dir;

    @Test
    void closeWhileEightThreadsQueryAMappedFileIsSafe() throws Exception {
        Path file = dir.resolve("q.e4jq");
        try (WordVectors v = RandomVectors.model(3, 3000, 32);
                QuantizedVectors q = QuantizedVectors.quantize(v, Precision.INT8)) {
            q.save(file);
        }
        QuantizedVectors q = QuantizedVectors.load(file);
        TextEmbedder embedder = new TextEmbedder(q);
        String a = q.words().get(1);
        String b = q.words().get(2);
        Map<String, CloseUnderLoad.Call> calls = new LinkedHashMap<>();
        calls.put("vector", () -> q.vector(a));
        calls.put("similarity", () -> q.similarity(a, b));
        calls.put("nearest", () -> q.nearest(a, 10));
        calls.put("findVector", () -> q.findVector(b));
        calls.put("embed", () -> embedder.embed(a + " " + b + " unknown", new float[32], 0));
        calls.put("embedder nearest", () -> embedder.nearest(List.of(a + " " + b), 5));
        CloseUnderLoad.check(q, calls);
    }

    @Test
    void anEmbedderOverClosedVectorsRefusesToEmbed() {
        WordVectors v = RandomVectors.model(5, 20, 4);
        TextEmbedder embedder = new TextEmbedder(v);
        String word = v.words().get(0);
        embedder.embed(word, new float[4], 0);
        v.close();
        assertThrows(IllegalStateException.class, () -> embedder.embed(word, new float[4], 0));
    }
}
