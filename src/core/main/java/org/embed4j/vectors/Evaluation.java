package org.embed4j.vectors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.embed4j.io.Snippet;
import org.embed4j.io.TextLines;

/**
 * The standard intrinsic benchmarks of word vectors:
 * <ul>
 *   <li>{@link #similarity}: Spearman's rank correlation between human scores and cosine similarities on a
 *       word-pair file ({@code w1 w2 score} per line, tab or space separated, {@code #} comments), pairs with
 *       an out-of-vocabulary word skipped and counted (gensim's evaluate_word_pairs); a score must be a finite
 *       number.</li>
 *   <li>{@link #analogy}: accuracy on questions-words.txt as word2vec's compute-accuracy computes it: only the
 *       {@code restrictVocab} most frequent words (the first rows) take part; a question with a word outside
 *       them is skipped and counted as not covered; the answer is the best 3CosAdd candidate among them, the
 *       three question words excluded; sections named {@code gram*} are syntactic, the others semantic.</li>
 *   <li>{@link #msrAnalogy}: the same on the MSR csv ({@code ,type,word1,word2,word3,target}), all syntactic.</li>
 * </ul>
 * Lookups are case-insensitive: words are lowercased and matched against the lowercased vocabulary (the most
 * frequent spelling wins). All analogy questions are answered by one top-k kernel call. Stateless and
 * thread-safe.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Spearman correlation on a word-pair similarity file. */
    public static SimilarityResult similarity(WordVectors v, Path pairsFile) throws IOException {
        Objects.requireNonNull(v, "v");
        Map<String, Integer> index = lowercaseIndex(v, v.size());
        List<double[]> covered = new ArrayList<>();
        int total = 0;
        try (TextLines in = TextLines.open(pairsFile)) {
            String line;
            while ((line = in.next()) != null) {
                long lineNo = in.lineNumber();
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] f = t.split("[\t ]+");
                if (f.length < 3) {
                    throw new IOException(pairsFile + " line " + lineNo + ": expected \"word1 word2 score\", found \""
                            + Snippet.of(t) + "\"");
                }
                double human;
                try {
                    human = Double.parseDouble(f[2]);
                } catch (NumberFormatException e) {
                    throw new IOException(
                            pairsFile + " line " + lineNo + ": score \"" + Snippet.of(f[2]) + "\" is not a number");
                }
                if (!Double.isFinite(human)) {
                    throw new IOException(pairsFile + " line " + lineNo + ": score \"" + Snippet.of(f[2])
                            + "\" is not a finite number");
                }
                total++;
                Integer i = index.get(f[0].toLowerCase(Locale.ROOT));
                Integer j = index.get(f[1].toLowerCase(Locale.ROOT));
                if (i != null && j != null) {
                    covered.add(new double[] {human, WordVectors.cosine(v.vector(i), v.vector(j))});
                }
            }
        }
        double[] h = new double[covered.size()];
        double[] m = new double[covered.size()];
        for (int k = 0; k < h.length; k++) {
            h[k] = covered.get(k)[0];
            m[k] = covered.get(k)[1];
        }
        return new SimilarityResult(Spearman.correlation(h, m), h.length, total);
    }

    /** Accuracy on questions-words.txt restricted to the {@code restrictVocab} most frequent words. */
    public static AnalogyResult analogy(WordVectors v, Path questionsWords, int restrictVocab) throws IOException {
        List<String[]> questions = new ArrayList<>();
        List<Boolean> semantic = new ArrayList<>();
        try (TextLines in = TextLines.open(questionsWords)) {
            String line;
            boolean sem = true;
            while ((line = in.next()) != null) {
                long lineNo = in.lineNumber();
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                if (t.startsWith(":")) {
                    sem = !t.substring(1).strip().startsWith("gram");
                    continue;
                }
                String[] f = t.split("[\t ]+");
                if (f.length != 4) {
                    throw new IOException(
                            questionsWords + " line " + lineNo + ": expected 4 words, found \"" + Snippet.of(t) + "\"");
                }
                questions.add(f);
                semantic.add(sem);
            }
        }
        return score(v, questions, semantic, restrictVocab);
    }

    /** Accuracy on the MSR analogy csv (header {@code ,type,word1,word2,word3,target}); all questions syntactic. */
    public static AnalogyResult msrAnalogy(WordVectors v, Path msrCsv, int restrictVocab) throws IOException {
        List<String[]> questions = new ArrayList<>();
        List<Boolean> semantic = new ArrayList<>();
        try (TextLines in = TextLines.open(msrCsv)) {
            String header = in.next();
            if (header == null || !header.strip().endsWith("word1,word2,word3,target")) {
                throw new IOException(
                        msrCsv + " line 1: expected the header \",type,word1,word2,word3,target\", found \""
                                + Snippet.of(header) + "\"");
            }
            String line;
            while ((line = in.next()) != null) {
                long lineNo = in.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.strip().split(",", -1);
                if (f.length != 6) {
                    throw new IOException(msrCsv + " line " + lineNo + ": expected 6 comma-separated fields, found \""
                            + Snippet.of(line) + "\"");
                }
                questions.add(new String[] {f[2], f[3], f[4], f[5]});
                semantic.add(false);
            }
        }
        return score(v, questions, semantic, restrictVocab);
    }

    private static AnalogyResult score(
            WordVectors v, List<String[]> questions, List<Boolean> semantic, int restrictVocab) {
        Objects.requireNonNull(v, "v");
        if (restrictVocab <= 0) {
            throw new IllegalArgumentException("restrictVocab must be > 0, got " + restrictVocab);
        }
        int restrict = Math.min(restrictVocab, v.size());
        Map<String, Integer> index = lowercaseIndex(v, restrict);
        int dim = v.dim();
        List<int[]> covered = new ArrayList<>(); // a, b, c, d rows and the question number
        for (int q = 0; q < questions.size(); q++) {
            int[] rows = new int[5];
            boolean ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                Integer r = index.get(questions.get(q)[i].toLowerCase(Locale.ROOT));
                ok = r != null;
                rows[i] = ok ? r : -1;
            }
            if (ok) {
                rows[4] = q;
                covered.add(rows);
            }
        }
        int n = covered.size();
        float[] queries = new float[n * dim];
        long[] exclude = new long[n * 3];
        for (int k = 0; k < n; k++) {
            int[] r = covered.get(k);
            float[] a = unitRow(v, r[0]);
            float[] b = unitRow(v, r[1]);
            float[] c = unitRow(v, r[2]);
            for (int d = 0; d < dim; d++) {
                queries[k * dim + d] = b[d] - a[d] + c[d];
            }
            exclude[k * 3] = r[0];
            exclude[k * 3 + 1] = r[1];
            exclude[k * 3 + 2] = r[2];
        }
        Search.TopK top;
        v.scope().enter();
        try {
            top = v.search().topk(queries, n, exclude, 3, 1, restrict);
        } finally {
            v.scope().exit();
        }
        int[] correct = new int[2]; // [semantic, syntactic]
        int[] seen = new int[2];
        for (int k = 0; k < n; k++) {
            int[] r = covered.get(k);
            int kind = semantic.get(r[4]) ? 0 : 1;
            seen[kind]++;
            if (top.k() > 0 && top.idx()[k] == r[3]) {
                correct[kind]++;
            }
        }
        return new AnalogyResult(
                ratio(correct[0], seen[0]),
                ratio(correct[1], seen[1]),
                ratio(correct[0] + correct[1], seen[0] + seen[1]),
                n,
                questions.size());
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static float[] unitRow(WordVectors v, int row) {
        float[] x = v.vector(row);
        double n2 = 0;
        for (float f : x) {
            n2 += (double) f * f;
        }
        if (n2 > 0) {
            float inv = (float) (1 / Math.sqrt(n2));
            for (int d = 0; d < x.length; d++) {
                x[d] *= inv;
            }
        }
        return x;
    }

    /** Lowercased word -&gt; its most frequent (lowest) row among the first {@code rows} rows. */
    private static Map<String, Integer> lowercaseIndex(WordVectors v, int rows) {
        Map<String, Integer> index = HashMap.newHashMap(rows);
        List<String> words = v.words();
        for (int i = 0; i < rows; i++) {
            index.putIfAbsent(words.get(i).toLowerCase(Locale.ROOT), i);
        }
        return index;
    }
}
