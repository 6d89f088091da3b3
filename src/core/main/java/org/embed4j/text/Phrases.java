package org.embed4j.text;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.embed4j.io.AtomicFiles;

/**
 * Word phrases, as word2vec C's word2phrase finds them: two words a b that follow each other on a line become the
 * token {@code a_b} when
 * <pre>
 *   score(a, b) = (count(a b) − minCount) / (count(a) · count(b)) · N  &gt;  threshold
 * </pre>
 * with N the number of tokens of the corpus and count(a), count(b), count(a b) &ge; minCount. A line is rewritten left
 * to right: a word joined to the one before it is never joined to the one after it (so one pass makes phrases of two
 * words; a second pass over the output joins those into longer ones, as word2vec's demo runs word2phrase twice).
 * Pairs never span lines.
 *
 * <p>Learning reads the corpus once, streaming, in bounded memory: words get ids, pairs are counted in a table of
 * longs ({@link LongCounts}), and when words plus pairs pass {@code maxEntries} every entry seen at most {@code floor}
 * times is dropped and the floor rises by one (word2phrase's ReduceVocab; a dropped entry's later counts start from
 * zero). Only the phrases that pass the threshold are kept afterwards. Immutable and thread-safe once learned.
 */
public final class Phrases {
    /** Words plus pairs held while counting before rare ones are dropped (about 0.5 GB of heap at most). */
    public static final int DEFAULT_MAX_ENTRIES = 10_000_000;

    private final Tokenizer tokenizer;
    private final Map<String, Double> scores; // "a b" -> score, the phrases only
    private final long tokens;

    private Phrases(Tokenizer tokenizer, Map<String, Double> scores, long tokens) {
        this.tokenizer = tokenizer;
        this.scores = scores;
        this.tokens = tokens;
    }

    /** Learns the phrases of a corpus (one pass over it). */
    public static Phrases learn(
            CorpusReader corpus, Tokenizer tokenizer, long minCount, double threshold, int maxEntries) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
        }
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite number >= 0, got " + threshold);
        }
        if (maxEntries < 2) {
            throw new IllegalArgumentException("maxEntries must be >= 2, got " + maxEntries);
        }
        Counts c = new Counts(maxEntries);
        corpus.forEachLine(line -> {
            int[] prev = {-1};
            tokenizer.tokenize(line, w -> prev[0] = c.add(w, prev[0]));
        });
        Map<String, Double> scores = new HashMap<>();
        String[] words = c.wordsById();
        c.pairs.forEach((key, count) -> {
            long ca = c.counts[(int) (key >>> 32)];
            long cb = c.counts[(int) key];
            if (count < minCount || ca < minCount || cb < minCount) {
                return;
            }
            double s = score(count, ca, cb, c.tokens, minCount);
            if (s > threshold) {
                scores.put(words[(int) (key >>> 32)] + " " + words[(int) key], s);
            }
        });
        return new Phrases(tokenizer, scores, c.tokens);
    }

    /** word2phrase's score of a pair seen {@code ab} times, of words seen {@code a} and {@code b} times, in N tokens. */
    public static double score(long ab, long a, long b, long n, long minCount) {
        return (ab - minCount) / (double) a / (double) b * (double) n;
    }

    /** The number of phrases found. */
    public int size() {
        return scores.size();
    }

    /** Tokens in the corpus it was learned from (N). */
    public long tokens() {
        return tokens;
    }

    /** The score of the pair a b when it is a phrase, else NaN. */
    public double scoreOf(String a, String b) {
        Double s = scores.get(a + " " + b);
        return s == null ? Double.NaN : s;
    }

    /** The phrases, "a_b", best score first (ties: alphabetical). */
    public List<String> phrases() {
        List<Map.Entry<String, Double>> e = new ArrayList<>(scores.entrySet());
        e.sort((x, y) -> x.getValue().equals(y.getValue())
                ? x.getKey().compareTo(y.getKey())
                : Double.compare(y.getValue(), x.getValue()));
        List<String> out = new ArrayList<>(e.size());
        for (Map.Entry<String, Double> x : e) {
            out.add(x.getKey().replace(' ', '_'));
        }
        return out;
    }

    /** {@code line}'s tokens separated by spaces, each phrase joined by '_'. */
    public String apply(String line) {
        StringBuilder out = new StringBuilder(line.length() + 8);
        String[] prev = {null};
        boolean[] joinable = {false};
        tokenizer.tokenize(line, w -> {
            if (prev[0] != null && joinable[0] && scores.containsKey(prev[0] + " " + w)) {
                out.append('_').append(w);
                joinable[0] = false; // a word joined to the one before is not joined to the one after
            } else {
                if (prev[0] != null) {
                    out.append(' ');
                }
                out.append(w);
                joinable[0] = true;
            }
            prev[0] = w;
        });
        return out.toString();
    }

    /**
     * Rewrites {@code input} (plain or gzip) into {@code output} with {@code passes} rounds of learn-and-apply, each
     * round reading the previous one's output (between rounds a temporary file beside {@code output}). Line breaks
     * are kept; {@code output} is gzip when its name ends in ".gz", and appears only when complete.
     * Returns the phrases of the last round.
     */
    public static Phrases rewrite(
            Path input,
            Path output,
            Tokenizer tokenizer,
            long minCount,
            double threshold,
            int passes,
            int maxEntries,
            java.util.function.Consumer<Phrases> afterEachPass)
            throws IOException {
        if (passes < 1) {
            throw new IllegalArgumentException("passes must be >= 1, got " + passes);
        }
        Path src = input;
        Path tmp = null;
        Phrases p = null;
        try {
            for (int pass = 1; pass <= passes; pass++) {
                p = learn(new CorpusReader(src), tokenizer, minCount, threshold, maxEntries);
                if (afterEachPass != null) {
                    afterEachPass.accept(p);
                }
                Path dst = pass == passes ? output : tempBeside(output);
                p.write(new CorpusReader(src), dst);
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
                tmp = pass == passes ? null : dst;
                src = dst;
            }
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
        return p;
    }

    private static Path tempBeside(Path output) throws IOException {
        Path dir = output.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + output.getFileName() + ".pass", ".tmp");
    }

    /** Writes {@link #apply} of every line of {@code corpus} to {@code out} atomically (gzip for ".gz"). */
    private void write(CorpusReader corpus, Path out) throws IOException {
        boolean gz = out.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(out, raw -> {
            OutputStream o = gz ? new GZIPOutputStream(raw, 1 << 16) : raw;
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8), 1 << 16);
            try {
                corpus.forEachLine(line -> {
                    try {
                        w.write(apply(line));
                        w.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            w.flush();
            if (gz) {
                ((GZIPOutputStream) o).finish();
            }
        });
    }

    /** The counting state of {@link #learn}: word ids and counts, pair counts keyed by (id a, id b), the floor. */
    private static final class Counts {
        final int maxEntries;
        Map<String, Integer> ids = new HashMap<>();
        long[] counts = new long[1024];
        LongCounts pairs = new LongCounts(1024);
        long tokens;
        long floor = 1;

        Counts(int maxEntries) {
            this.maxEntries = maxEntries;
        }

        /** Counts word w and the pair (previous id, w); returns w's id. */
        int add(String w, int prev) {
            tokens++;
            Integer id = ids.get(w);
            if (id == null) {
                id = ids.size();
                ids.put(w, id);
                if (id == counts.length) {
                    counts = java.util.Arrays.copyOf(counts, counts.length * 2);
                }
            }
            counts[id]++;
            if (prev >= 0) {
                pairs.increment(((long) prev << 32) | id);
            }
            if (ids.size() + pairs.size() > maxEntries) {
                return reduce(id);
            }
            return id;
        }

        /** Drops every word and pair seen at most floor times, renumbering the words; returns keep's new id or -1. */
        int reduce(int keep) {
            long f = floor++;
            int[] newId = new int[ids.size()];
            Map<String, Integer> kept = new HashMap<>();
            long[] keptCounts = new long[Math.max(1024, ids.size())];
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                int old = e.getValue();
                if (counts[old] > f) {
                    newId[old] = kept.size();
                    keptCounts[kept.size()] = counts[old];
                    kept.put(e.getKey(), kept.size());
                } else {
                    newId[old] = -1;
                }
            }
            pairs.retain((key, count) -> {
                int a = newId[(int) (key >>> 32)];
                int b = newId[(int) key];
                return count <= f || a < 0 || b < 0 ? -1 : ((long) a << 32) | b;
            });
            ids = kept;
            counts = keptCounts;
            return newId[keep];
        }

        String[] wordsById() {
            String[] w = new String[ids.size()];
            ids.forEach((k, v) -> w[v] = k);
            return w;
        }
    }
}
