package org.embed4j.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.TextFormats;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.testing.fuzz.Fuzzer;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.AnalogyMethod;
import org.embed4j.vectors.Evaluation;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * The readers of untrusted input in embed4j-core, as {@link Fuzzer} targets: each writes the input where the reader
 * expects a file, reads it, and uses what it read (a lookup, a search, an analogy, a prediction), asserting that
 * every answer is finite and every cosine within [-1, 1]. The seed inputs live in
 * {@code src/core/test/resources/fuzz/<name>} ({@link FuzzSeeds} writes them). Each target uses its own scratch
 * folder; not thread-safe.
 */
final class ReaderTargets {
    private final Path dir;

    ReaderTargets(Path dir) {
        this.dir = dir;
    }

    /** Target name -> its fuzzer (a reader of the file it names), in a fixed order. */
    Map<String, Fuzzer> all() {
        Map<String, Fuzzer> t = new LinkedHashMap<>();
        add(t, "word2vec-text", "v.txt", in -> vectors(in, "v.txt", VectorsFormat.WORD2VEC_TEXT));
        add(t, "word2vec-binary", "v.bin", in -> vectors(in, "v.bin", VectorsFormat.WORD2VEC_BINARY));
        add(t, "fasttext-vec", "v.vec", in -> vectors(in, "v.vec", VectorsFormat.FASTTEXT_VEC));
        add(t, "glove", "v.glove.txt", in -> vectors(in, "v.glove.txt", VectorsFormat.GLOVE));
        add(t, "safetensors", "v.safetensors", this::safetensors);
        add(t, "e4jv", "v.e4jv", in -> vectors(in, "v.e4jv", VectorsFormat.NATIVE));
        add(t, "detect", "model", in -> vectors(in, "model", null));
        add(t, "e4jq", "q.e4jq", this::quantized);
        add(t, "e4jc", "m.e4jc", in -> classifier(in, "m.e4jc"));
        add(t, "mlp", "m.safetensors", in -> classifier(in, "m.safetensors"));
        add(t, "labeled-text", "data.txt", in -> TextFormats.read(file("data.txt", in)));
        add(t, "word-pairs", "pairs.txt", in -> Evaluation.similarity(small(), file("pairs.txt", in)));
        add(t, "analogy-questions", "questions.txt", this::analogies);
        add(t, "vocab-file", "vocab.txt", in -> Vocabulary.read(file("vocab.txt", in)));
        return t;
    }

    private static void add(Map<String, Fuzzer> t, String name, String file, Fuzzer.Target target) {
        t.put(name, Fuzzer.ofReader(name, file, target));
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private void vectors(byte[] in, String name, VectorsFormat format) throws IOException {
        Path p = file(name, in);
        try (WordVectors v = format == null ? VectorsIO.read(p) : VectorsIO.read(p, format)) {
            use(v);
        }
    }

    /** The input is a little-endian u32 length, that many bytes of vocabulary, then the safetensors file. */
    private void safetensors(byte[] in) throws IOException {
        if (in.length < 4) {
            throw new IOException("v.safetensors: fuzz input shorter than its vocabulary length");
        }
        int vocab = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (vocab < 0 || vocab > in.length - 4) {
            throw new IOException("v.safetensors: fuzz input vocabulary length out of range");
        }
        Path p = dir.resolve("v.safetensors");
        Files.write(p, Arrays.copyOfRange(in, 4 + vocab, in.length));
        Files.write(dir.resolve("v.safetensors.vocab.txt"), Arrays.copyOfRange(in, 4, 4 + vocab));
        try (WordVectors v = VectorsIO.read(p, VectorsFormat.SAFETENSORS)) {
            use(v);
        }
    }

    /** Looks up, searches and answers an analogy: every number finite, every cosine within [-1, 1]. */
    static void use(WordVectors v) {
        int n = v.size();
        if (n == 0) {
            return;
        }
        String w = v.words().get(0);
        finite(v.vector(w), "vector of '" + w + "'");
        try {
            cosines(v.nearest(w, 3));
            if (n >= 4) {
                for (AnalogyMethod m : AnalogyMethod.values()) {
                    for (Neighbor x : v.analogy(w, v.words().get(1), v.words().get(2), 2, m)) {
                        finite(new float[] {(float) x.score()}, m + " score");
                    }
                }
            }
        } catch (IllegalArgumentException | NoSuchElementException e) {
            // a zero vector has no cosine neighbours, a repeated lower-cased word no row of its own: named errors
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("an error without a message", e);
            }
        }
    }

    private void quantized(byte[] in) throws IOException {
        try (QuantizedVectors q = QuantizedVectors.load(file("q.e4jq", in))) {
            if (q.size() > 0) {
                String w = q.words().get(0);
                float[] x = new float[q.dim()];
                q.vector(w, x, 0);
                finite(x, "vector of '" + w + "'");
                try {
                    cosines(q.nearest(w, 3));
                } catch (IllegalArgumentException e) {
                    // a zero row: no cosine neighbours
                }
            }
        }
    }

    private void classifier(byte[] in, String name) throws IOException {
        try (Classifier c = Classifier.load(file(name, in))) {
            for (String text : List.of("what is the capital", "", "zzz unknown words")) {
                float[] p = c.probabilities(text);
                finite(p, "probabilities of \"" + text + "\"");
                if (p.length != c.labels().size()) {
                    throw new AssertionError(
                            p.length + " probabilities for " + c.labels().size() + " labels");
                }
            }
        }
    }

    private void analogies(byte[] in) throws IOException {
        Path p = file("questions.txt", in);
        if (in.length > 0 && in[0] == ',') { // the MSR csv's header
            Evaluation.msrAnalogy(small(), p, 10);
        } else {
            Evaluation.analogy(small(), p, 10);
        }
    }

    private static WordVectors small;

    /** Ten words on a circle, for the evaluation files. */
    private static synchronized WordVectors small() {
        if (small == null) {
            List<String> words =
                    List.of("man", "king", "woman", "queen", "big", "bigger", "small", "smaller", "a", "b");
            float[] x = new float[words.size() * 3];
            for (int i = 0; i < words.size(); i++) {
                x[i * 3] = (float) Math.cos(i);
                x[i * 3 + 1] = (float) Math.sin(i);
                x[i * 3 + 2] = 0.5f;
            }
            small = WordVectors.of(words, x, 3);
        }
        return small;
    }

    private static void cosines(List<Neighbor> list) {
        for (Neighbor n : list) {
            if (!(Math.abs(n.score()) <= 1.0)) {
                throw new AssertionError("cosine " + n.score() + " of '" + n.word() + "' is outside [-1, 1]");
            }
        }
    }

    private static void finite(float[] x, String what) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new AssertionError(what + " has " + x[i] + " at " + i);
            }
        }
    }
}
