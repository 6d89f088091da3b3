package org.embed4j.deploy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.internal.quant.RowQuantizer;

/**
 * A (R,D) matrix stored at reduced {@link Precision}, off the Java heap and little-endian: int8 elements with one
 * f32 scale per row, or fp16 elements ({@link RowQuantizer}'s maps). Row r dequantizes to {@code s_r · q_r}
 * (int8) or {@code half(x_r)} (fp16). {@link QuantizedVectors} keeps its word rows in one and its subword
 * bucket rows in another, so both are encoded and read by the same code. Immutable and thread-safe.
 */
final class QuantizedMatrix {
    private final int dim;
    private final Precision precision;
    private final MemorySegment data; // (R,D) int8, or (R,D) fp16 LE
    private final MemorySegment scales; // (R) f32 LE for INT8, null for FP16

    QuantizedMatrix(int dim, Precision precision, MemorySegment data, MemorySegment scales) {
        this.dim = dim;
        this.precision = precision;
        this.data = data;
        this.scales = scales;
    }

    /** Where {@link #encode} reads float row r (D floats into {@code out[0 .. D)}). */
    interface RowSource {
        void row(int r, float[] out);
    }

    /**
     * Quantizes rows [0, rows) of {@code source} into memory of {@code arena}; when {@code norms} is not null, row r's slot gets the
     * norm of the dequantized row. {@code what} names the rows in the message of a row that cannot be quantized.
     */
    static QuantizedMatrix encode(
            Arena arena, int rows, int dim, Precision precision, RowSource source, MemorySegment norms, String what) {
        long rowBytes = (long) dim * precision.bytesPerElement();
        MemorySegment data = arena.allocate(Math.max(1, rows * rowBytes), 64).asSlice(0, rows * rowBytes);
        MemorySegment scales = precision == Precision.INT8
                ? arena.allocate(Math.max(4, rows * 4L)).asSlice(0, rows * 4L)
                : null;
        float[] row = new float[dim];
        byte[] q = new byte[dim];
        short[] h = new short[dim];
        try {
            for (int r = 0; r < rows; r++) {
                source.row(r, row);
                double n2 = 0;
                if (precision == Precision.INT8) {
                    float s = RowQuantizer.int8(r, row, 0, dim, q, 0);
                    MemorySegment.copy(q, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, dim);
                    scales.setAtIndex(QuantizedVectors.LE_F32, r, s);
                    for (byte b : q) {
                        n2 += (double) b * b;
                    }
                    n2 *= (double) s * s;
                } else {
                    RowQuantizer.fp16(r, row, 0, dim, h, 0);
                    MemorySegment.copy(h, 0, data, QuantizedVectors.LE_I16, r * rowBytes, dim);
                    for (short x : h) {
                        double f = Float.float16ToFloat(x);
                        n2 += f * f;
                    }
                }
                if (norms != null) {
                    norms.setAtIndex(QuantizedVectors.LE_F32, r, (float) Math.sqrt(n2));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        return new QuantizedMatrix(dim, precision, data, scales);
    }

    MemorySegment data() {
        return data;
    }

    /** The per-row scales (int8), or null (fp16). */
    MemorySegment scales() {
        return scales;
    }

    /** Bytes of elements and scales. */
    long byteSize() {
        return data.byteSize() + (scales == null ? 0 : scales.byteSize());
    }

    /** The scale of row {@code row} (int8: max|x|/127; fp16: 1); the caller checks the index. */
    float scale(int row) {
        return scales == null ? 1f : scales.getAtIndex(QuantizedVectors.LE_F32, row);
    }

    /** {@code out[offset .. offset+D)} = dequantized row {@code row}; the caller checks the bounds. */
    void vector(int row, float[] out, int offset) {
        long base = (long) row * dim;
        if (precision == Precision.INT8) {
            float s = scales.getAtIndex(QuantizedVectors.LE_F32, row);
            for (int d = 0; d < dim; d++) {
                out[offset + d] = s * data.get(ValueLayout.JAVA_BYTE, base + d);
            }
        } else {
            for (int d = 0; d < dim; d++) {
                out[offset + d] = Float.float16ToFloat(data.getAtIndex(QuantizedVectors.LE_I16, base + d));
            }
        }
    }

    /** {@code out[offset .. offset+D)} += dequantized row {@code row}; the caller checks the bounds. */
    void addTo(int row, float[] out, int offset) {
        long base = (long) row * dim;
        if (precision == Precision.INT8) {
            float s = scales.getAtIndex(QuantizedVectors.LE_F32, row);
            for (int d = 0; d < dim; d++) {
                out[offset + d] += s * data.get(ValueLayout.JAVA_BYTE, base + d);
            }
        } else {
            for (int d = 0; d < dim; d++) {
                out[offset + d] += Float.float16ToFloat(data.getAtIndex(QuantizedVectors.LE_I16, base + d));
            }
        }
    }

    /** q[qOff..qOff+D) · dequantized row {@code row}, as the float query times the stored row times its scale. */
    double dot(float[] q, int qOff, int row) {
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
            return (double) (s0 + s1) * scales.getAtIndex(QuantizedVectors.LE_F32, row);
        }
        for (; d + 1 < dim; d += 2) {
            s0 += q[qOff + d] * Float.float16ToFloat(data.getAtIndex(QuantizedVectors.LE_I16, base + d));
            s1 += q[qOff + d + 1] * Float.float16ToFloat(data.getAtIndex(QuantizedVectors.LE_I16, base + d + 1));
        }
        for (; d < dim; d++) {
            s0 += q[qOff + d] * Float.float16ToFloat(data.getAtIndex(QuantizedVectors.LE_I16, base + d));
        }
        return s0 + s1;
    }
}
