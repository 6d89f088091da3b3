package org.embed4j.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * A (V,D) float matrix as int8 rows with one scale each (symmetric per row, the int8 map of the quantized model
 * format: {@code s = max|x|/127}, {@code q = round(x/s)}), for the candidate scan of {@link ExactSearch}. Besides
 * the bytes it keeps {@code rscale[v] = s_v / ||x_v||}, the factor that turns {@code dot(q, q_v)} into an approximate
 * cosine, and {@link #maxHalfScale}: since {@code |x_d - s·q_d| <= s/2}, the approximate cosine of any row is within
 * {@code maxHalfScale · ||q||_1 / ||q||} of the float one, and {@link #maxRowL1}, which bounds what the scan's
 * int16 rounding of the query adds. Immutable and thread-safe.
 */
final class Int8Rows {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Tensor bytes; // (V,D) I8
    private final Tensor rscale; // (V) F32
    private final float maxHalfScale;
    private final double maxRowL1;

    private Int8Rows(Tensor bytes, Tensor rscale, float maxHalfScale, double maxRowL1) {
        this.bytes = bytes;
        this.rscale = rscale;
        this.maxHalfScale = maxHalfScale;
        this.maxRowL1 = maxRowL1;
    }

    /** Quantizes the rows of {@code matrix} (V,D float); {@code norms(v)} is the float norm of row v. */
    static Int8Rows quantize(MemorySegment matrix, long rows, int dim, java.util.function.LongToDoubleFunction norms) {
        Arena arena = Arena.ofAuto();
        MemorySegment q = arena.allocate(Math.max(1, rows * dim), 64).asSlice(0, rows * dim);
        MemorySegment rs = arena.allocate(Math.max(4, rows * 4), 64).asSlice(0, rows * 4);
        float[] row = new float[dim];
        byte[] out = new byte[dim];
        float maxHalf = 0f;
        double maxL1 = 0;
        for (long v = 0; v < rows; v++) {
            MemorySegment.copy(matrix, F32, v * dim * Float.BYTES, row, 0, dim);
            float max = 0f;
            for (float x : row) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("row " + v + " has a non-finite value " + x);
                }
                max = Math.max(max, Math.abs(x));
            }
            double norm = norms.applyAsDouble(v);
            float factor = 0f;
            if (max > 0f && norm > 0) {
                float s = max / 127f;
                long l1 = 0;
                for (int d = 0; d < dim; d++) {
                    out[d] = (byte) Math.max(-127, Math.min(127, Math.round(row[d] / s)));
                    l1 += Math.abs(out[d]);
                }
                factor = (float) (s / norm);
                maxHalf = Math.max(maxHalf, factor / 2);
                maxL1 = Math.max(maxL1, (double) factor * l1);
            } else {
                java.util.Arrays.fill(out, (byte) 0);
            }
            MemorySegment.copy(out, 0, q, ValueLayout.JAVA_BYTE, v * dim, dim);
            rs.setAtIndex(F32, v, factor);
        }
        return new Int8Rows(
                Tensor.wrap(q, DType.I8, Device.CPU, null, rows, dim),
                Tensor.wrap(rs, DType.F32, Device.CPU, null, rows),
                maxHalf,
                maxL1);
    }

    Tensor bytes() {
        return bytes;
    }

    Tensor rscale() {
        return rscale;
    }

    /** max over rows of rscale/2: the per-unit-L1 error bound of the approximate cosine. */
    float maxHalfScale() {
        return maxHalfScale;
    }

    /** max over rows of {@code rscale[v] · ||q_v||_1} (q_v the int8 row), in double. */
    double maxRowL1() {
        return maxRowL1;
    }

    long byteSize() {
        return bytes.segment().byteSize() + rscale.segment().byteSize();
    }
}
