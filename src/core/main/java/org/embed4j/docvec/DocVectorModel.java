package org.embed4j.docvec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * A trained paragraph-vector model: the word vectors, one vector per training document (document i = line i of the
 * corpus, keyed "i"), and the output layer, which {@link #infer} needs to place an unseen document: its vector starts
 * random (seeded by its words, so the same text always gets the same vector) and takes {@code inferEpochs} passes of
 * the training step over its words with the words and the output layer frozen, the learning rate falling linearly
 * from lr to minLr (gensim's infer_vector). No subsampling in inference: every in-vocabulary word counts.
 *
 * <p>{@link #save} writes one safetensors file (tensors {@code words}, {@code docs}, {@code hs} and/or
 * {@code negative}, {@code counts}, {@code doc_hashes}; the vocabulary and the options in its metadata), so PyTorch
 * can load the matrices; {@link #load} reads it back. Immutable and thread-safe: inference only reads the shared
 * weights and works on its own document row. Nothing to close (the weights live in automatic arenas).
 */
public final class DocVectorModel {
    private final DocVectorOptions options;
    private final Vocabulary vocab;
    private final DocWeights weights;
    private final Tensor docRows;
    private final long[] docHashes;
    private final Backend backend;
    private final Tokenizer tokenizer;
    private final WordVectors wordVectors;
    private final WordVectors docVectors;
    private final Map<Long, Integer> byHash;

    DocVectorModel(
            DocVectorOptions options,
            Vocabulary vocab,
            DocWeights weights,
            Tensor docRows,
            long[] docHashes,
            Backend backend) {
        this.options = options;
        this.vocab = vocab;
        this.weights = weights;
        this.docRows = docRows;
        this.docHashes = docHashes;
        this.backend = backend;
        this.tokenizer = new Tokenizer(options.training().lowercase());
        int d = options.training().dim();
        this.wordVectors = WordVectors.of(vocab.words(), rows(weights.wIn(), vocab.size(), d), d);
        List<String> keys = new ArrayList<>(docHashes.length);
        for (int i = 0; i < docHashes.length; i++) {
            keys.add(Integer.toString(i));
        }
        this.docVectors = WordVectors.of(keys, rows(docRows, docHashes.length, d), d);
        this.byHash = HashMap.newHashMap(docHashes.length);
        for (int i = docHashes.length - 1; i >= 0; i--) {
            byHash.put(docHashes[i], i); // the first document of a text wins
        }
    }

    private static float[] rows(Tensor t, int n, int d) {
        float[] out = new float[Math.multiplyExact(n, d)];
        MemorySegment.copy(t.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
        return out;
    }

    public DocVectorOptions options() {
        return options;
    }

    /** The vocabulary with its training counts. */
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** The word vectors (PV-DBOW without word training leaves them at their random start). */
    public WordVectors wordVectors() {
        return wordVectors;
    }

    /** The training documents' vectors, document i (line i of the corpus) under the key "i". */
    public WordVectors documentVectors() {
        return docVectors;
    }

    /** The number of training documents. */
    public int documents() {
        return docHashes.length;
    }

    /** The first training document whose tokens equal those of {@code text} (by a 64-bit hash), or -1. */
    public int documentOf(String text) {
        Integer i = byHash.get(textHash(tokenizer.tokenize(text)));
        return i == null ? -1 : i;
    }

    /** The vector of an unseen document's text (tokenized as in training). */
    public float[] infer(String text) {
        return infer(tokenizer.tokenize(text));
    }

    /** The vector of an unseen document: {@code inferEpochs} passes over its words, everything else frozen. */
    public float[] infer(List<String> words) {
        Objects.requireNonNull(words, "words");
        Word2VecOptions o = options.word2vec();
        int d = o.dim();
        int[] ids = new int[words.size()];
        int n = 0;
        for (String w : words) {
            int id = vocab.id(w);
            if (id >= 0) {
                ids[n++] = id;
            }
        }
        long seed = textHash(words) ^ o.seed();
        int epochs = options.effectiveInferEpochs();
        boolean wordInputs = options.mode() == DocVectorOptions.Mode.DM;
        try (Arena arena = Arena.ofConfined()) {
            Tensor row = Tensor.allocate(arena, DType.F32, 1, d);
            MemorySegment.copy(DocWeights.randomRows(1, d, seed).segment(), 0, row.segment(), 0, 4L * d);
            if (n > 0) {
                Tensor tokens = Tensor.allocate(arena, DType.I32, n);
                MemorySegment.copy(ids, 0, tokens.segment(), ValueLayout.JAVA_INT_UNALIGNED, 0, n);
                Tensor docs = Tensor.allocate(arena, DType.I32, n); // all zeros: row 0
                Tensor rng = Tensor.allocate(arena, DType.I64, 1);
                rng.setIndex(0, seed);
                for (int e = 0; e < epochs; e++) {
                    float lrStart = o.learningRate(e / (double) epochs);
                    float lrEnd = o.learningRate((e + 1) / (double) epochs);
                    backend.word2vecHsTrainChunk(
                            weights.chunk(o, row, tokens, docs, rng, wordInputs, true, lrStart, lrEnd));
                }
            }
            return row.toFloatArray();
        }
    }

    /** Saves the model as one safetensors file (written to a temporary file, then renamed). */
    public void save(Path path) throws IOException {
        DocModelFile.write(path, this);
    }

    /** Loads a model written by {@link #save}; inference runs on the native CPU backend when it loads, else Java. */
    public static DocVectorModel load(Path path) throws IOException {
        return DocModelFile.read(path);
    }

    DocWeights weights() {
        return weights;
    }

    Tensor docRows() {
        return docRows;
    }

    long[] docHashes() {
        return docHashes.clone();
    }

    /** 64-bit FNV-1a over the tokens' chars (a 0 char between them): the identity of a document's text. */
    static long textHash(List<String> tokens) {
        long h = Fnv1a.BASIS_64;
        for (String t : tokens) {
            for (int i = 0; i < t.length(); i++) {
                h = Fnv1a.step64(h, t.charAt(i));
            }
            h = Fnv1a.step64(h, 0);
        }
        return h;
    }
}
