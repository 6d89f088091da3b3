package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.testing.CloseUnderLoad;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** WordVectors.close(): memory freed (file unmapped) at once, every later call refused, calls in flight safe. */
class WordVectorsCloseTest {
    @TempDir
    Path dir;

    private Path write(VectorsFormat format, int words, int dim) throws Exception {
        Path file = dir.resolve("v" + VectorsFormatsTest.extension(format));
        try (WordVectors v = RandomVectors.model(7, words, dim)) {
            VectorsIO.write(v, file, format);
        }
        return file;
    }

    @Test
    void closeUnmapsTheFileAndRefusesEveryLaterCall() throws Exception {
        WordVectors v = WordVectors.load(write(VectorsFormat.NATIVE, 50, 8));
        MemorySegment mapped = v.matrix();
        String w = v.words().get(3);
        assertEquals(10, v.nearest(w, 10).size());
        v.close();
        assertFalse(mapped.scope().isAlive(), "close unmapped the file");
        List<Runnable> calls = List.of(
                () -> v.vector(w),
                () -> v.vector(0),
                () -> v.findVector(w),
                () -> v.indexOf(w),
                () -> v.contains(w),
                () -> v.words().get(0),
                () -> v.similarity(w, w),
                () -> v.nearest(w, 3),
                () -> v.nearest(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3),
                () -> v.mostSimilar(List.of(w), List.of(), 3),
                () -> v.analogy(w, w, w, 3, AnalogyMethod.COS_MUL),
                () -> v.firstWords(2),
                () -> v.size(),
                () -> v.dim());
        for (Runnable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
        assertThrows(
                IllegalStateException.class, () -> VectorsIO.write(v, dir.resolve("again.e4jv"), VectorsFormat.NATIVE));
        v.close(); // idempotent
    }

    @Test
    void theFirstWordsShareTheModelsLifetime() throws Exception {
        WordVectors v = WordVectors.load(write(VectorsFormat.NATIVE, 50, 8));
        WordVectors head = v.firstWords(10);
        head.close();
        assertThrows(IllegalStateException.class, () -> head.vector(0));
        assertEquals(50, v.nearest(v.words().get(0), 100).size() + 1, "closing the view leaves the model open");
        WordVectors head2 = v.firstWords(10);
        v.close();
        assertThrows(IllegalStateException.class, () -> head2.vector(0), "a view of a closed model is closed");
    }

    @ParameterizedTest
    @EnumSource(
            value = VectorsFormat.class,
            names = {"NATIVE", "WORD2VEC_BINARY"})
    void closeWhileEightThreadsQueryIsSafe(VectorsFormat format) throws Exception {
        WordVectors v = WordVectors.load(write(format, 3000, 32));
        String a = v.words().get(1);
        String b = v.words().get(2);
        String c = v.words().get(3);
        float[] query = v.vector(5);
        Map<String, CloseUnderLoad.Call> calls = new LinkedHashMap<>();
        calls.put("vector", () -> v.vector(a));
        calls.put("findVector", () -> v.findVector("not-a-word"));
        calls.put("indexOf", () -> v.indexOf(b.toUpperCase(java.util.Locale.ROOT)));
        calls.put("similarity", () -> v.similarity(a, b));
        calls.put("nearest(word)", () -> v.nearest(a, 10));
        calls.put("nearest(words)", () -> v.nearest(List.of(a, b, c), 5));
        calls.put("nearest(vector)", () -> v.nearest(query, 10));
        calls.put("mostSimilar", () -> v.mostSimilar(List.of(b, c), List.of(a), 10));
        calls.put("analogy 3CosMul", () -> v.analogy(a, b, c, 5, AnalogyMethod.COS_MUL));
        calls.put("words", () -> v.words().get(2999));
        CloseUnderLoad.check(v, calls);
    }
}
