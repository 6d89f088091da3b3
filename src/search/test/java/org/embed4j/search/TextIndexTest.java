package org.embed4j.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sentence vectors against a hand-computed example (SIF weights from the collection's counts, the first principal
 * component from the 2×2 eigenproblem in closed form), the .e4ji round trip, search through exact search and the
 * graph, and the TSV reader's errors.
 */
class TextIndexTest {
    @TempDir
    Path tmp;

    static WordVectors abc() {
        return WordVectors.of(List.of("a", "b", "c", "d"), new float[] {1, 0, 0, 1, 1, 1, -1, 0.5f}, 2);
    }

    static List<TextIndex.Entry> entries() {
        return List.of(
                new TextIndex.Entry("q0", "a a a b", "x"),
                new TextIndex.Entry("q1", "b C zzz", null),
                new TextIndex.Entry("q2", "c", "y"));
    }

    @Test
    void sifAndComponentRemovalMatchTheHandComputation() {
        TextIndex index = TextIndex.build(abc(), entries(), new TextIndex.Options(0.5, true));
        // counts a=3, b=2, c=2 (C found lower-cased, zzz skipped): p = 3/7, 2/7, 2/7
        double wa = 0.5 / (0.5 + 3.0 / 7);
        double wb = 0.5 / (0.5 + 2.0 / 7);
        double[][] x = {{3 * wa / 4, wb / 4}, {wb / 2, wb}, {wb, wb}};
        // first eigenvector of X^T X = [[p, r], [r, s]]
        double p = 0, r = 0, s = 0;
        for (double[] row : x) {
            p += row[0] * row[0];
            r += row[0] * row[1];
            s += row[1] * row[1];
        }
        double lambda = (p + s) / 2 + Math.sqrt((p - s) * (p - s) / 4 + r * r);
        double ux = r;
        double uy = lambda - p;
        double n = Math.hypot(ux, uy);
        ux /= n;
        uy /= n;
        for (int i = 0; i < 3; i++) {
            double dot = x[i][0] * ux + x[i][1] * uy;
            float[] want = {(float) (x[i][0] - dot * ux), (float) (x[i][1] - dot * uy)};
            assertArrayEquals(want, index.vector(i), 1e-6f, "entry " + i);
        }
        // a question is encoded with the collection's weights and component
        double dq = wa * ux;
        assertArrayEquals(new float[] {(float) (wa - dq * ux), (float) (-dq * uy)}, index.encode("a"), 1e-6f);
        // a = 0: the plain mean, no removal
        TextIndex plain = TextIndex.build(abc(), entries(), new TextIndex.Options(0, false));
        assertArrayEquals(new float[] {0.75f, 0.25f}, row(plain, 0), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 1f}, row(plain, 1), 1e-7f);
    }

    private static float[] row(TextIndex index, int i) {
        return index.vector(i);
    }

    @Test
    void roundTripAndSearch() throws Exception {
        TextIndex built = TextIndex.build(abc(), entries(), new TextIndex.Options(1e-3, false));
        Path file = tmp.resolve("docs.e4ji");
        built.write(file);
        try (TextIndex opened = TextIndex.open(file, abc(), false)) {
            assertEquals(3, opened.size());
            assertEquals(entries(), List.of(opened.entry(0), opened.entry(1), opened.entry(2)));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(row(built, i), row(opened, i), "row " + i);
            }
            TextIndex.Match best = opened.search("c c", 1).get(0);
            assertEquals("q2", best.id());
            assertEquals("y", best.label());
            assertEquals(1f, best.score(), 1e-6f);
            List<TextIndex.Match> all = opened.search("b", 3);
            assertEquals(3, all.size());
            assertNull(all.stream()
                    .filter(m -> m.id().equals("q1"))
                    .findFirst()
                    .orElseThrow()
                    .label());
            assertThrows(IllegalArgumentException.class, () -> opened.search("zzz unknown", 1));
            assertTrue(!opened.usesGraph());
        }
        built.buildGraph(HnswIndex.besideModel(file), HnswIndex.Options.defaults());
        try (TextIndex withGraph = TextIndex.open(file, abc(), false);
                TextIndex exact = TextIndex.open(file, abc(), true)) {
            assertTrue(withGraph.usesGraph() && !exact.usesGraph());
            assertEquals("q2", withGraph.search("c", 1).get(0).id());
            List<TextIndex.Match> e = exact.search("a b", 3);
            List<TextIndex.Match> g = withGraph.search("a b", 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(e.get(i).id(), g.get(i).id(), "graph and exact search agree on a tiny set");
                assertEquals(e.get(i).score(), g.get(i).score(), 1e-5f);
            }
        }
        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(java.io.IOException.class, () -> TextIndex.open(file, abc(), true));
    }

    @Test
    void tsv() throws Exception {
        Path ok = tmp.resolve("ok.tsv");
        Files.writeString(ok, "1\thello world\tgreeting\n\n2\tbye\n");
        assertEquals(
                List.of(new TextIndex.Entry("1", "hello world", "greeting"), new TextIndex.Entry("2", "bye", null)),
                Tsv.read(ok));
        Path dup = tmp.resolve("dup.tsv");
        Files.writeString(dup, "1\ta\n1\tb\n");
        assertTrue(assertThrows(java.io.IOException.class, () -> Tsv.read(dup))
                .getMessage()
                .contains("line 2"));
        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "only-one-field\n");
        assertThrows(java.io.IOException.class, () -> Tsv.read(bad));
    }
}
