package org.embed4j.vectors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Safetensors;
import org.embed4j.io.Snippet;
import org.embed4j.io.TextLines;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Subwords;

/**
 * Word vectors as safetensors, so that PyTorch loads them with
 * {@code nn.Embedding.from_pretrained(safetensors.torch.load_file(p)["weight"])}: tensor {@code "weight"}
 * (V,D) F32, with subwords also {@code "bucket_weight"} (bucket,D) F32 and metadata {@code minn, maxn,
 * bucket}; the words, one per line in row order, go to {@code <file>.vocab.txt} (UTF-8, '\n').
 *
 * <p>Both files are written atomically (vocabulary first). Reading checks that the vocabulary has exactly V
 * lines of valid UTF-8, that the tensors have the expected dtype and shapes and that every row is finite
 * ({@link RowCheck}); errors name the file. Stateless and
 * thread-safe.
 */
final class SafetensorsFormat {
    static final String WEIGHT = "weight";
    static final String BUCKET_WEIGHT = "bucket_weight";

    private SafetensorsFormat() {}

    /** The vocabulary file that goes with {@code path}. */
    static Path vocabPath(Path path) {
        return path.resolveSibling(path.getFileName() + ".vocab.txt");
    }

    static void write(WordVectors v, Path path) throws IOException {
        int rows = v.size();
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            String w = v.vocab().word(i);
            FormatSupport.checkWord(w, i, true);
            vocab.append(w).append('\n');
        }
        byte[] vocabBytes = vocab.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(vocabPath(path), out -> out.write(vocabBytes));
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(WEIGHT, Tensor.wrap(v.matrix(), DType.F32, Device.CPU, null, rows, v.dim()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "embed4j-word-vectors");
        Subwords sub = v.subwords();
        if (sub != null) {
            tensors.put(BUCKET_WEIGHT, Tensor.wrap(v.buckets(), DType.F32, Device.CPU, null, sub.bucket(), v.dim()));
            meta.put("minn", Integer.toString(sub.minn()));
            meta.put("maxn", Integer.toString(sub.maxn()));
            meta.put("bucket", Integer.toString(sub.bucket()));
        }
        Safetensors.write(path, tensors, meta);
    }

    static WordVectors read(Path path, ModelScope scope) throws IOException {
        Map<String, String> meta = Safetensors.metadata(path);
        LinkedHashMap<String, Tensor> tensors = Safetensors.read(path);
        try {
            Tensor weight = tensors.get(WEIGHT);
            if (weight == null || weight.dtype() != DType.F32 || weight.rank() != 2 || weight.size(1) == 0) {
                throw new IOException("vectors file " + path + " has no F32 tensor \"" + WEIGHT
                        + "\" of shape (V,D), found " + (weight == null ? "none" : weight.describe()));
            }
            long rows = weight.size(0);
            int dim = Math.toIntExact(weight.size(1));
            List<String> words = readVocab(vocabPath(path), rows);
            MemorySegment matrix = copy(scope, weight);
            RowCheck.checkAll(
                    matrix,
                    rows,
                    dim,
                    (r, c, problem) -> new IOException("vectors file " + path + ": tensor \"" + WEIGHT + "\" row " + r
                            + " (word '" + Snippet.of(words.get((int) r)) + "'): " + problem));
            Subwords sub = null;
            MemorySegment buckets = null;
            Tensor bw = tensors.get(BUCKET_WEIGHT);
            if (bw != null) {
                sub = subwords(path, meta);
                if (bw.dtype() != DType.F32 || bw.rank() != 2 || bw.size(0) != sub.bucket() || bw.size(1) != dim) {
                    throw new IOException("vectors file " + path + ": tensor \"" + BUCKET_WEIGHT + "\" is "
                            + bw.describe() + ", expected F32[" + sub.bucket() + ", " + dim + "]");
                }
                buckets = copy(scope, bw);
                RowCheck.checkAll(
                        buckets,
                        sub.bucket(),
                        dim,
                        (r, c, problem) -> new IOException("vectors file " + path + ": tensor \"" + BUCKET_WEIGHT
                                + "\" row " + r + ": " + problem));
            }
            try {
                return new WordVectors(scope, new HeapVocab(words), dim, matrix, null, sub, buckets);
            } catch (IllegalArgumentException e) {
                throw new IOException("vocabulary " + vocabPath(path) + ": " + e.getMessage(), e);
            }
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    private static Subwords subwords(Path path, Map<String, String> meta) throws IOException {
        try {
            return new Subwords(
                    Integer.parseInt(meta.getOrDefault("minn", "")),
                    Integer.parseInt(meta.getOrDefault("maxn", "")),
                    Integer.parseInt(meta.getOrDefault("bucket", "")));
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "vectors file " + path + " has \"" + BUCKET_WEIGHT
                            + "\" but its metadata minn/maxn/bucket are missing or invalid: " + meta,
                    e);
        }
    }

    private static List<String> readVocab(Path vocab, long rows) throws IOException {
        List<String> words = new ArrayList<>();
        try (TextLines lines = TextLines.open(vocab)) {
            String w;
            while ((w = lines.next()) != null) {
                if (words.size() >= rows) {
                    throw new IOException("vocabulary " + vocab + " has more than the " + rows
                            + " words of the tensor \"weight\" (line " + (words.size() + 1) + ")");
                }
                words.add(w);
            }
        } catch (NoSuchFileException e) {
            throw new IOException(
                    "the vocabulary file " + vocab + " that goes with the safetensors vectors is missing", e);
        }
        if (words.size() != rows) {
            throw new IOException("vocabulary " + vocab + " has " + words.size()
                    + " words but the tensor \"weight\" has " + rows + " rows");
        }
        return words;
    }

    private static MemorySegment copy(ModelScope scope, Tensor t) {
        MemorySegment m = FormatSupport.allocateMatrix(scope.arena(), t.size(0), t.size(1));
        MemorySegment.copy(t.segment(), 0, m, 0, t.byteSize());
        return m;
    }
}
