package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k-means word classes on vectors drawn around three well-separated directions, interleaved in row order: every
 * word must land with its group's words and apart from the other groups, the same vectors must give the same
 * classes every time, and the file must be word2vec's {@code word class} lines.
 */
class WordClassesTest {
    @TempDir
    Path dir;

    private static WordVectors groups(int perGroup, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 3 * perGroup;
        float[] x = new float[n * dim];
        List<String> words = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int g = i % 3;
            words.add("g" + g + "_" + i);
            for (int j = 0; j < dim; j++) {
                double center = (j % 3 == g) ? 1.0 : 0.0;
                x[i * dim + j] = (float) (center + 0.15 * (r.nextDouble() - 0.5));
            }
        }
        return WordVectors.of(words, x, dim);
    }

    @Test
    void separatesThreeGroupsTheSameWayEveryTime() throws IOException {
        WordVectors v = groups(40, 12, 3);
        WordClasses a = WordClasses.kmeans(v, 3);
        WordClasses b = WordClasses.kmeans(v, 3);
        assertArrayEquals(a.classes(), b.classes(), "same vectors, same classes");
        int[] classOfGroup = {a.classOf(0), a.classOf(1), a.classOf(2)};
        assertNotEquals(classOfGroup[0], classOfGroup[1]);
        assertNotEquals(classOfGroup[0], classOfGroup[2]);
        assertNotEquals(classOfGroup[1], classOfGroup[2]);
        for (int i = 0; i < v.size(); i++) {
            assertEquals(classOfGroup[i % 3], a.classOf(i), v.words().get(i));
        }
        Path file = dir.resolve("out.classes");
        a.write(file);
        List<String> lines = Files.readAllLines(file);
        assertEquals(v.size(), lines.size());
        assertEquals(v.words().get(5) + " " + a.classOf(5), lines.get(5));
    }

    @Test
    void badClassCountsAreNamed() {
        WordVectors v = groups(2, 4, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> WordClasses.kmeans(v, 7));
        assertEquals(true, e.getMessage().contains("classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WordClasses.kmeans(v, 0));
        assertThrows(IllegalArgumentException.class, () -> WordClasses.kmeans(v, 2, 0));
    }
}
