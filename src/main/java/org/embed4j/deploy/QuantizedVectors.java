package org.embed4j.deploy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * Word vectors stored at reduced {@link Precision} for deployment: int8 with one float scale per row (4x
 * smaller than float32) or fp16 (2x smaller). Every query is answered on the dequantized rows
 * {@code x̃_v = s_v · q_v} (int8) or {@code half(x_v)} (fp16), so the accuracy cost measured on
 * {@link #toWordVectors()} is the cost a service sees:
 * <ul>
 *   <li>{@link #nearest}: the k rows of highest cosine {@code q·x̃_v / (|q| |x̃_v|)}, through the backend's top-k
 *       kernel on one dequantized block of rows at a time ({@link QuantizedSearch}: the float matrix never exists);
 *       ties to the lower row, rows of norm 0 never match, the query word itself excluded.</li>
 *   <li>{@link #similarity}: the cosine of two dequantized rows (the float row times the stored row and scale).</li>
 * </ul>
 * The norms {@code |x̃_v|} are computed once at quantization and stored. Rows are kept in the order of the
 * source (most frequent first by the word2vec/fastText convention). Subword rows are not kept: OOV words
 * have no vector here.
 *
 * <p>Storage is off the Java heap (little-endian), either built by {@link #quantize} or memory-mapped by
 * {@link #load}. Immutable and thread-safe; a search allocates its result lists and one block of scratch.
 */
public final class QuantizedVectors {
    static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final List<String> words;
    private final Map<String, Integer> index;
    private final int dim;
    private final Precision precision;
    private final MemorySegment data;   // (V,D) int8, or (V,D) fp16 little-endian
    private final MemorySegment scales; // (V) f32 LE for INT8, null for FP16
    private final MemorySegment norms;  // (V) f32 LE, norms of the dequantized rows

    QuantizedVectors(List<String> words, Map<String, Integer> index, int dim, Precision precision,
                     MemorySegment data, MemorySegment scales, MemorySegment norms) {
        this.words = List.copyOf(words);
        this.index = index;
        this.dim = dim;
        this.precision = precision;
        this.data = data;
        this.scales = scales;
        this.norms = norms;
    }

    /** Quantizes every word row of {@code source} (its subword rows, if any, are dropped). */
    public static QuantizedVectors quantize(WordVectors source, Precision precision) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(precision, "precision");
        int v = source.size();
        int dim = source.dim();
        Arena arena = Arena.ofAuto();
        long rowBytes = (long) dim * precision.bytesPerElement();
        MemorySegment data = arena.allocate(Math.max(1, v * rowBytes), 64).asSlice(0, v * rowBytes);
        MemorySegment scales = precision == Precision.INT8 ? arena.allocate(Math.max(4, v * 4L)).asSlice(0, v * 4L)
                : null;
        MemorySegment norms = arena.allocate(Math.max(4, v * 4L)).asSlice(0, v * 4L);
        float[] row = new float[dim];
        byte[] q = new byte[dim];
        short[] h = new short[dim];
        for (int r = 0; r < v; r++) {
            source.vector(r, row, 0);
            double n2 = 0;
            if (precision == Precision.INT8) {
                float s = RowQuantizer.int8(r, row, 0, dim, q, 0);
                MemorySegment.copy(q, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, dim);
                scales.setAtIndex(LE_F32, r, s);
                for (byte b : q) {
                    n2 += (double) b * b;
                }
                n2 *= (double) s * s;
            } else {
                RowQuantizer.fp16(r, row, 0, dim, h, 0);
                MemorySegment.copy(h, 0, data, LE_I16, r * rowBytes, dim);
                for (short x : h) {
                    double f = Float.float16ToFloat(x);
                    n2 += f * f;
                }
            }
            norms.setAtIndex(LE_F32, r, (float) Math.sqrt(n2));
        }
        return new QuantizedVectors(source.words(), QuantizedFormat.indexOf(source.words()), dim, precision, data,
                scales, norms);
    }

    /** Reads a file written by {@link #save} (memory-mapped; see {@link QuantizedFormat}). */
    public static QuantizedVectors load(Path path) throws IOException {
        return QuantizedFormat.read(path);
    }

    /** Writes these vectors to {@code path} atomically (temporary file, then rename). */
    public void save(Path path) throws IOException {
        QuantizedFormat.write(this, path);
    }

    // ------------------------------------------------------------------ lookup

    public int size() {
        return words.size();
    }

    public int dim() {
        return dim;
    }

    public Precision precision() {
        return precision;
    }

    /** The words in row order (unmodifiable). */
    public List<String> words() {
        return words;
    }

    /** The row of {@code word}, or -1. */
    public int indexOf(String word) {
        Integer i = index.get(Objects.requireNonNull(word, "word"));
        return i == null ? -1 : i;
    }

    public boolean contains(String word) {
        return indexOf(word) >= 0;
    }

    /** Bytes of vector storage: elements, per-row scales and norms (the vocabulary not counted). */
    public long vectorBytes() {
        return data.byteSize() + (scales == null ? 0 : scales.byteSize()) + norms.byteSize();
    }

    /** The scale of row {@code row} (int8: max|x|/127; fp16: 1). */
    public float scale(int row) {
        Objects.checkIndex(row, size());
        return scales == null ? 1f : scales.getAtIndex(LE_F32, row);
    }

    /** The dequantized row {@code row} written into {@code out[offset .. offset+D)}; allocation-free. */
    public void vector(int row, float[] out, int offset) {
        Objects.checkIndex(row, size());
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        long base = (long) row * dim;
        if (precision == Precision.INT8) {
            float s = scales.getAtIndex(LE_F32, row);
            for (int d = 0; d < dim; d++) {
                out[offset + d] = s * data.get(ValueLayout.JAVA_BYTE, base + d);
            }
        } else {
            for (int d = 0; d < dim; d++) {
                out[offset + d] = Float.float16ToFloat(data.getAtIndex(LE_I16, base + d));
            }
        }
    }

    /** A copy of the dequantized row {@code row}. */
    public float[] vector(int row) {
        float[] out = new float[dim];
        vector(row, out, 0);
        return out;
    }

    /** The dequantized vector of {@code word}; {@link NoSuchElementException} when it is not in the vocabulary. */
    public float[] vector(String word) {
        return vector(row(word));
    }

    // ------------------------------------------------------------------ queries

    /** Cosine similarity of two words' dequantized vectors (0 when either is zero). */
    public double similarity(String w1, String w2) {
        int a = row(w1);
        int b = row(w2);
        float na = norm(a);
        float nb = norm(b);
        if (na == 0f || nb == 0f) {
            return 0;
        }
        float[] x = vector(a);
        return dot(x, 0, b) / ((double) na * nb);
    }

    /** The k words most similar to {@code word}, best first, the word itself excluded. */
    public List<Neighbor> nearest(String word, int k) {
        int r = row(word);
        return search(vector(r), 1, k, new int[] {r}).get(0);
    }

    /** The k words of highest cosine with {@code query} (D floats), best first. */
    public List<Neighbor> nearest(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        return nearest(query, 1, k).get(0);
    }

    /**
     * The k nearest words to each of {@code count} queries ({@code queries}: count×D floats, row-major) in one
     * pass over the rows (each block is dequantized once for all queries); list j answers query j.
     */
    public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
        Objects.requireNonNull(queries, "queries");
        if (count < 0 || (long) count * dim != queries.length) {
            throw new IllegalArgumentException("queries has " + queries.length + " floats, expected count " + count
                    + " x dim " + dim);
        }
        return search(queries.clone(), count, k, null);
    }

    /** Dequantized float vectors with the same words, for evaluation with {@link org.embed4j.vectors.Evaluation}. */
    public WordVectors toWordVectors() {
        long n = (long) size() * dim;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(size() + " words x dim " + dim + " is too large for one float array");
        }
        float[] all = new float[(int) n];
        for (int r = 0; r < size(); r++) {
            vector(r, all, r * dim);
        }
        return WordVectors.of(words, all, dim);
    }

    // ------------------------------------------------------------------ package-private: the file format

    MemorySegment data() {
        return data;
    }

    MemorySegment scales() {
        return scales;
    }

    MemorySegment norms() {
        return norms;
    }

    // ------------------------------------------------------------------ helpers

    private List<List<Neighbor>> search(float[] queries, int count, int k, int[] exclude) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        for (int j = 0; j < count; j++) {
            double n2 = 0;
            for (int d = 0; d < dim; d++) {
                n2 += (double) queries[j * dim + d] * queries[j * dim + d];
            }
            if (n2 == 0 || !Double.isFinite(n2)) {
                throw new IllegalArgumentException("query " + j + " has a zero or non-finite vector: no cosine neighbours");
            }
        }
        int kk = Math.min(k, size());
        if ((long) count * kk > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(count + " queries x k " + kk + " results do not fit one array");
        }
        List<List<Neighbor>> out = new ArrayList<>(count);
        if (kk == 0 || count == 0) {
            for (int j = 0; j < count; j++) {
                out.add(List.of());
            }
            return List.copyOf(out);
        }
        QuantizedSearch.Ranked best = QuantizedSearch.topk(this, queries, count, exclude, kk);
        for (int j = 0; j < count; j++) {
            List<Neighbor> list = new ArrayList<>(best.found()[j]);
            for (int i = 0; i < best.found()[j]; i++) {
                list.add(new Neighbor(words.get(best.rows()[j * kk + i]), best.scores()[j * kk + i]));
            }
            out.add(List.copyOf(list));
        }
        return List.copyOf(out);
    }

    /** q[qOff..qOff+D) · x̃_row, as the float query times the stored row times its scale. */
    private double dot(float[] q, int qOff, int row) {
        long base = (long) row * dim;
        float s0 = 0f;
        float s1 = 0f;
        int d = 0;
        if (precision == Precision.INT8) {
            for (; d + 1 < dim; d += 2) {
                s0 += q[qOff + d] * data.get(ValueLayout.JAVA_BYTE, base + d);
                s1 += q[qOff + d + 1] * data.get(ValueLayout.JAVA_BYTE, base + d + 1);
            }
            for (; d < dim; d++) {
                s0 += q[qOff + d] * data.get(ValueLayout.JAVA_BYTE, base + d);
            }
            return (double) (s0 + s1) * scales.getAtIndex(LE_F32, row);
        }
        for (; d + 1 < dim; d += 2) {
            s0 += q[qOff + d] * Float.float16ToFloat(data.getAtIndex(LE_I16, base + d));
            s1 += q[qOff + d + 1] * Float.float16ToFloat(data.getAtIndex(LE_I16, base + d + 1));
        }
        for (; d < dim; d++) {
            s0 += q[qOff + d] * Float.float16ToFloat(data.getAtIndex(LE_I16, base + d));
        }
        return s0 + s1;
    }

    private float norm(int row) {
        return norms.getAtIndex(LE_F32, row);
    }

    private int row(String word) {
        int r = indexOf(word);
        if (r < 0) {
            throw new NoSuchElementException("word '" + word + "' is not in the vocabulary of " + size()
                    + " quantized words");
        }
        return r;
    }

    @Override
    public String toString() {
        return "QuantizedVectors(" + size() + " words, dim " + dim + ", " + precision + ")";
    }
}
