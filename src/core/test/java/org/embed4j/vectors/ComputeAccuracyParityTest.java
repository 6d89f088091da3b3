package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Evaluation#analogy} gives exactly what word2vec C's compute-accuracy prints on the same vectors.
 * Fixture brown-2000x16.bin: the 2,000 most frequent words of a skip-gram model trained on the Brown corpus
 * (embed4j demo), first 16 dimensions, word2vec binary. Expected counts come from
 * {@code compute-accuracy brown-2000x16.bin <restrict> < questions-words.txt} (word2vec 1.1.5 from npm):
 * restrict 30000 printed semantic 22.45% (11/49), syntactic 2.67% (15/562), total 4.26%, 611 seen;
 * restrict 1000 printed 33.33% (10/30), 3.41% (6/176), 7.77%, 206 seen. The Spearman figures come from
 * scipy.stats.spearmanr on the cosines numpy computes for the same covered pairs.
 */
class ComputeAccuracyParityTest {
    @TempDir
    Path dir;

    private Path model() throws IOException {
        Path model = dir.resolve("brown-2000x16.bin");
        try (InputStream in = getClass().getResourceAsStream("brown-2000x16.bin")) {
            Files.copy(in, model);
        }
        return model;
    }

    private static Path eval(String name) {
        Path p = Path.of(System.getProperty("embed4j.shared.data", "../shared/data"), "eval", name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "shared data not present: " + p);
        return p;
    }

    @ParameterizedTest
    @CsvSource({"wordsim353.tsv, 76, 353, 0.24685214337273445", "simlex999.txt, 199, 999, 0.020160773008850844"})
    void sameSpearmanAsScipy(String file, int covered, int total, double spearman) throws IOException {
        SimilarityResult r = Evaluation.similarity(VectorsIO.read(model()), eval(file));
        assertEquals(covered, r.covered());
        assertEquals(total, r.total());
        assertEquals(spearman, r.spearman(), 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"30000, 11, 49, 15, 562", "1000, 10, 30, 6, 176"})
    void sameAsWord2VecComputeAccuracy(int restrict, int semOk, int semSeen, int synOk, int synSeen)
            throws IOException {
        AnalogyResult r = Evaluation.analogy(VectorsIO.read(model()), eval("questions-words.txt"), restrict);
        assertEquals(19_544, r.total());
        assertEquals(semSeen + synSeen, r.covered());
        assertEquals((double) semOk / semSeen, r.semanticAccuracy(), 1e-12);
        assertEquals((double) synOk / synSeen, r.syntacticAccuracy(), 1e-12);
        assertEquals((double) (semOk + synOk) / (semSeen + synSeen), r.totalAccuracy(), 1e-12);
    }
}
