package org.embed4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parallel half of {@link Vocabulary#count}: a plain-text corpus cut into equal byte ranges, each counted by
 * its own thread into its own {@link WordCounter}, the counts then added. A line belongs to the range holding its
 * first byte ({@link CorpusReader#forEachLineChars(long, long, CorpusReader.LineChars)}), so every word is counted
 * once, and addition does not depend on the order: the result equals one thread's count whenever no pruning
 * happens. A part that passes {@code maxEntries} distinct words gives up, and so does the whole count (null).
 */
final class VocabularyParts {
    private VocabularyParts() {}

    /** Stops a part that passed maxEntries. */
    private static final class TooManyWords extends RuntimeException {
        TooManyWords() {
            super(null, null, false, false);
        }
    }

    /** Word counts of the corpus, or null when a part held more than maxEntries distinct words. */
    static Map<String, Long> count(CorpusReader corpus, Tokenizer tokenizer, int maxEntries, int threads) {
        long size = corpus.byteSize();
        WordCounter[] parts = new WordCounter[threads];
        Throwable[] failures = new Throwable[threads];
        List<Thread> started = new ArrayList<>();
        for (int p = 1; p < threads; p++) {
            int part = p;
            started.add(Thread.ofPlatform()
                    .name("vocabulary-" + p)
                    .start(() ->
                            parts[part] = countPart(corpus, tokenizer, maxEntries, size, part, threads, failures)));
        }
        parts[0] = countPart(corpus, tokenizer, maxEntries, size, 0, threads, failures);
        for (Thread t : started) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while counting the vocabulary", e);
            }
        }
        for (Throwable f : failures) {
            if (f instanceof RuntimeException re) {
                throw re;
            } else if (f instanceof Error err) {
                throw err;
            }
        }
        for (WordCounter c : parts) {
            if (c == null) {
                return null; // a part passed maxEntries
            }
        }
        for (int p = 1; p < threads; p++) {
            parts[0].addAll(parts[p]);
        }
        return parts[0].toMap();
    }

    private static WordCounter countPart(
            CorpusReader corpus,
            Tokenizer tokenizer,
            int maxEntries,
            long size,
            int part,
            int parts,
            Throwable[] failures) {
        try {
            WordCounter counts = new WordCounter();
            Tokenizer.WordChars word = (w, s, e) -> {
                counts.add(w, s, e);
                if (counts.size() > maxEntries) {
                    throw new TooManyWords();
                }
            };
            long from = size * part / parts, to = part == parts - 1 ? Long.MAX_VALUE : size * (part + 1) / parts;
            corpus.forEachLineChars(from, to, (buf, f, t) -> tokenizer.tokenize(buf, f, t, word));
            return counts;
        } catch (TooManyWords e) {
            return null;
        } catch (RuntimeException | Error e) {
            failures[part] = e;
            return null;
        }
    }
}
