package org.embed4j.docvec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.Json;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Vocabulary;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * The paragraph-vector model file: safetensors (so {@code safetensors.torch.load_file} reads the matrices) with
 * <pre>
 *   words (V,D) F32, docs (P,D) F32, hs (V-1,D) F32 (hierarchical softmax), negative (V,D) F32 (negative sampling),
 *   counts (V) I64 (the Huffman tree and the negative table are rebuilt from them), doc_hashes (P) I64
 *   metadata: format "embed4j.docvec", version "1", vocabulary (a JSON array of the V words, id order), and one
 *   entry per option (mode, dbow_words, infer_epochs, dim, window, negative, hs, sample, min_count, max_vocab,
 *   epochs, lr, min_lr, cbow_mean, seed, lowercase, neg_table_size)
 * </pre>
 * A newer version is refused with a message saying to upgrade; shapes that disagree with the metadata are an
 * {@link IOException} naming the file and the tensor. Stateless.
 */
final class DocModelFile {
    static final String FORMAT = "embed4j.docvec";
    static final int VERSION = 1;

    private DocModelFile() {}

    static void write(java.nio.file.Path path, DocVectorModel m) throws IOException {
        DocWeights w = m.weights();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("words", w.wIn());
        tensors.put("docs", m.docRows());
        if (w.wHs() != null) {
            tensors.put("hs", w.wHs());
        }
        if (w.wOut() != null) {
            tensors.put("negative", w.wOut());
        }
        try (Tensor counts = Tensor.of(w.counts());
                Tensor hashes = Tensor.of(m.docHashes())) {
            tensors.put("counts", counts);
            tensors.put("doc_hashes", hashes);
            Safetensors.write(path, tensors, metadata(m));
        }
    }

    private static Map<String, String> metadata(DocVectorModel m) {
        DocVectorOptions d = m.options();
        Word2VecOptions o = d.training();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", Integer.toString(VERSION));
        meta.put("vocabulary", Json.write(List.copyOf(m.vocabulary().words())));
        meta.put("mode", d.mode().name());
        meta.put("dbow_words", Boolean.toString(d.dbowWords()));
        meta.put("infer_epochs", Integer.toString(d.inferEpochs()));
        meta.put("dim", Integer.toString(o.dim()));
        meta.put("window", Integer.toString(o.window()));
        meta.put("negative", Integer.toString(o.negative()));
        meta.put("hs", Boolean.toString(o.hs()));
        meta.put("sample", Double.toString(o.sample()));
        meta.put("min_count", Integer.toString(o.minCount()));
        meta.put("max_vocab", Integer.toString(o.maxVocab()));
        meta.put("epochs", Integer.toString(o.epochs()));
        meta.put("lr", Float.toString(o.lr()));
        meta.put("min_lr", Float.toString(o.minLr()));
        meta.put("cbow_mean", Boolean.toString(o.cbowMean()));
        meta.put("seed", Long.toString(o.seed()));
        meta.put("lowercase", Boolean.toString(o.lowercase()));
        meta.put("neg_table_size", Integer.toString(o.negTableSize()));
        return meta;
    }

    static DocVectorModel read(java.nio.file.Path path) throws IOException {
        Map<String, String> meta = Safetensors.metadata(path);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + " is not an embed4j doc-vector model (metadata format = " + meta.get("format")
                    + ", expected " + FORMAT + ")");
        }
        int version = parseInt(path, meta, "version");
        if (version > VERSION) {
            throw new IOException(path + " has doc-vector format version " + version + "; this embed4j reads up to "
                    + VERSION + ": upgrade embed4j");
        }
        DocVectorOptions options;
        List<String> words;
        try {
            options = options(path, meta).validate();
            words = vocabulary(path, meta.get("vocabulary"));
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": bad options in the metadata: " + e.getMessage(), e);
        }
        Word2VecOptions o = options.word2vec();
        int d = o.dim();
        int v = words.size();
        LinkedHashMap<String, Tensor> t = Safetensors.read(path);
        try {
            long[] counts = need(path, t, "counts", DType.I64, v).toLongArray();
            long[] hashes = need(path, t, "doc_hashes", DType.I64, -1).toLongArray();
            Tensor wIn = copy(need(path, t, "words", DType.F32, v, d));
            Tensor docs = copy(need(path, t, "docs", DType.F32, hashes.length, d));
            Tensor hs = o.hs() ? copy(need(path, t, "hs", DType.F32, v - 1, d)) : null;
            Tensor neg = o.negative() > 0 ? copy(need(path, t, "negative", DType.F32, v, d)) : null;
            Map<String, Long> wc = HashMap.newHashMap(v);
            for (int i = 0; i < v; i++) {
                if (wc.put(words.get(i), counts[i]) != null) {
                    throw new IOException(path + ": the word '" + words.get(i) + "' is in the vocabulary twice");
                }
            }
            Vocabulary vocab = Vocabulary.of(wc, 1, Integer.MAX_VALUE);
            if (!vocab.words().equals(words)) {
                throw new IOException(path + ": the vocabulary is not in count order, or has counts below 1");
            }
            DocWeights w = DocWeights.withOutputs(o, counts, wIn, hs, neg);
            return new DocVectorModel(options, vocab, w, docs, hashes, DocVectorTrainer.chooseBackend(o.backend()));
        } finally {
            t.values().forEach(Tensor::close);
        }
    }

    private static DocVectorOptions options(java.nio.file.Path path, Map<String, String> m) throws IOException {
        Word2VecOptions o = Word2VecOptions.defaults()
                .withDim(parseInt(path, m, "dim"))
                .withWindow(parseInt(path, m, "window"))
                .withNegative(parseInt(path, m, "negative"))
                .withHs(Boolean.parseBoolean(get(path, m, "hs")))
                .withSample(Double.parseDouble(get(path, m, "sample")))
                .withMinCount(parseInt(path, m, "min_count"))
                .withMaxVocab(parseInt(path, m, "max_vocab"))
                .withEpochs(parseInt(path, m, "epochs"))
                .withLr(Float.parseFloat(get(path, m, "lr")))
                .withMinLr(Float.parseFloat(get(path, m, "min_lr")))
                .withCbowMean(Boolean.parseBoolean(get(path, m, "cbow_mean")))
                .withSeed(Long.parseLong(get(path, m, "seed")))
                .withLowercase(Boolean.parseBoolean(get(path, m, "lowercase")))
                .withNegTableSize(parseInt(path, m, "neg_table_size"));
        return new DocVectorOptions(
                DocVectorOptions.Mode.parse(get(path, m, "mode")),
                Boolean.parseBoolean(get(path, m, "dbow_words")),
                parseInt(path, m, "infer_epochs"),
                o);
    }

    private static List<String> vocabulary(java.nio.file.Path path, String json) throws IOException {
        try {
            Object v = Json.parse(json == null ? "" : json);
            if (!(v instanceof List<?> list)) {
                throw new IOException(path + ": metadata 'vocabulary' is not a JSON array");
            }
            List<String> words = new java.util.ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new IOException(path + ": metadata 'vocabulary' holds a " + Json.typeName(o));
                }
                words.add(s);
            }
            if (words.size() < 2) {
                throw new IOException(path + ": the vocabulary has " + words.size() + " word(s), need at least 2");
            }
            return words;
        } catch (Json.JsonException e) {
            throw new IOException(path + ": metadata 'vocabulary' is not JSON: " + e.getMessage(), e);
        }
    }

    private static Tensor need(java.nio.file.Path path, Map<String, Tensor> t, String name, DType dtype, long... shape)
            throws IOException {
        Tensor x = t.get(name);
        if (x == null) {
            throw new IOException(path + ": tensor '" + name + "' is missing");
        }
        boolean ok = x.dtype() == dtype && x.rank() == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] < 0 || x.size(i) == shape[i];
        }
        if (!ok) {
            throw new IOException(path + ": tensor '" + name + "' is " + x.describe() + ", expected " + dtype + " "
                    + java.util.Arrays.toString(shape).replace("-1", "any"));
        }
        return x;
    }

    private static Tensor copy(Tensor src) {
        Tensor dst = DocWeights.zeros(src.size(0), (int) src.size(1));
        MemorySegment.copy(src.segment(), 0, dst.segment(), 0, src.byteSize());
        return dst;
    }

    private static String get(java.nio.file.Path path, Map<String, String> m, String key) throws IOException {
        String v = m.get(key);
        if (v == null) {
            throw new IOException(path + ": metadata entry '" + key + "' is missing");
        }
        return v;
    }

    private static int parseInt(java.nio.file.Path path, Map<String, String> m, String key) throws IOException {
        String v = get(path, m, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IOException(path + ": metadata entry '" + key + "' = '" + v + "' is not an integer");
        }
    }
}
