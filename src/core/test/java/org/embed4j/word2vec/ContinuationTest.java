package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continued training ({@link Word2VecTrainer#initFrom}): old words keep their ids, rows of words the new corpus
 * lacks stay bit for bit, new words are appended, and continuing on a corpus with other word groups teaches the
 * model those groups.
 */
class ContinuationTest {
    // eight groups of four; corpus A uses groups 0-3, corpus B regroups the same words (and adds group 4's new
    // words) so that its topics are not A's
    private static final String[][] A = {
        {"apple", "pear", "plum", "grape"},
        {"car", "bus", "train", "truck"},
        {"red", "blue", "green", "yellow"},
        {"dog", "cat", "horse", "cow"},
    };
    private static final String[][] B = {
        {"apple", "car", "red", "dog"},
        {"pear", "bus", "blue", "cat"},
        {"plum", "train", "green", "horse"},
        {"oak", "elm", "ash", "fir"},
    };

    @TempDir
    Path dir;

    private static Path corpus(Path file, String[][] groups, int lines, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < lines; s++) {
            String[] g = groups[r.nextInt(groups.length)];
            for (int i = 0; i < 10; i++) {
                sb.append(g[r.nextInt(g.length)]).append(' ');
            }
            sb.append('\n');
        }
        return Files.writeString(file, sb.toString());
    }

    private static Word2VecOptions options() {
        return Word2VecOptions.defaults()
                .withDim(16)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(3)
                .withThreads(1)
                .withSeed(5)
                .withNegTableSize(100_000)
                .withBackend("java");
    }

    /** Share of the groups' words whose 3 nearest neighbours are in their own group. */
    private static double groupScore(WordVectors v, String[][] groups) {
        int good = 0;
        int total = 0;
        for (String[] g : groups) {
            Set<String> members = Set.of(g);
            for (String w : g) {
                if (!v.contains(w)) {
                    total += 3;
                    continue;
                }
                for (Neighbor n : v.nearest(w, 3)) {
                    total++;
                    good += members.contains(n.word()) ? 1 : 0;
                }
            }
        }
        return good / (double) total;
    }

    @Test
    void continuingKeepsIdsAndUntouchedRowsAndLearnsTheNewCorpus() throws IOException {
        Path a = corpus(dir.resolve("a.txt"), A, 2000, 1);
        Path b = corpus(dir.resolve("b.txt"), B, 2000, 2);
        WordVectors old = new Word2VecTrainer(options()).train(a).vectors();
        double before = groupScore(old, B);

        Word2VecResult r = new Word2VecTrainer(options()).initFrom(old).train(b);
        WordVectors cont = r.vectors();
        for (int i = 0; i < old.size(); i++) {
            assertEquals(old.words().get(i), cont.words().get(i), "id " + i + " keeps its word");
        }
        assertEquals(old.size() + 4, cont.size(), "oak, elm, ash and fir are added");
        assertEquals(Set.of("oak", "elm", "ash", "fir"), Set.copyOf(cont.words().subList(old.size(), cont.size())));
        // B lacks these words: nothing may have touched their rows
        List<String> untouched = List.of("grape", "truck", "yellow", "cow");
        for (String w : untouched) {
            assertEquals(0, r.vocabulary().count(r.vocabulary().id(w)));
            assertArrayEquals(old.vector(w), cont.vector(w), w);
        }
        double after = groupScore(cont, B);
        assertTrue(after > before + 0.3 && after > 0.8, "B's groups before " + before + ", after " + after);
    }

    @Test
    void continuingOnTheSameDataChangesOnlyItsWords() throws IOException {
        Path a = corpus(dir.resolve("a.txt"), A, 1000, 1);
        WordVectors old = new Word2VecTrainer(options()).train(a).vectors();
        Word2VecResult again = new Word2VecTrainer(options()).initFrom(old).train(a);
        assertEquals(old.words(), again.vectors().words(), "same words, same ids, nothing added");
        List<String> changed = new ArrayList<>();
        for (String w : old.words()) {
            if (!java.util.Arrays.equals(old.vector(w), again.vectors().vector(w))) {
                changed.add(w);
            }
        }
        assertEquals(old.size(), changed.size(), "every word occurs in the corpus, so every row trains on");
    }

    @Test
    void subwordModelsAndAnotherDimAreRefused() throws IOException {
        Path a = corpus(dir.resolve("a.txt"), A, 300, 1);
        WordVectors old = new Word2VecTrainer(options()).train(a).vectors();
        IllegalArgumentException dim = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(options().withDim(8)).initFrom(old));
        assertTrue(dim.getMessage().contains("dim 16"), dim.getMessage());
        IllegalArgumentException sub = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(options().withSubwords(3, 5, 1000)).initFrom(old));
        assertTrue(sub.getMessage().contains("word-level"), sub.getMessage());
    }
}
