package org.embed4j.internal.quant;

import org.embed4j.deploy.Precision;

/**
 * The element maps of {@link Precision}, one row at a time, shared by the quantized word vectors (deploy) and the
 * quantized classifiers (classify).
 * <ul>
 *   <li>INT8, symmetric per row: {@code s = max_d |x_d| / 127}, {@code q_d = round(x_d / s)} in [-127, 127]
 *       ({@code s = 0} and all {@code q_d = 0} for a zero row), dequantized as {@code s · q_d}; the error
 *       {@code |x_d - s·q_d|} is at most {@code s/2} (plus float rounding). -128 is never produced, so the
 *       range is symmetric as in PyTorch's {@code quantize_per_channel} with zero point 0.</li>
 *   <li>FP16: {@link Float#floatToFloat16} (round to nearest even) and {@link Float#float16ToFloat}; the
 *       relative error is at most 2^-11 for normal values. A value beyond the half range (|x| &gt; 65504)
 *       would become infinite, so it is refused.</li>
 * </ul>
 * Non-finite inputs are refused with the row and column, since a NaN scale would poison every cosine.
 * Stateless and thread-safe.
 */
public final class RowQuantizer {
    static final float FP16_MAX = 65504f;

    private RowQuantizer() {}

    /** Quantizes {@code x[xOff .. xOff+dim)} into {@code q[qOff ..]} and returns the row's scale. */
    public static float int8(int row, float[] x, int xOff, int dim, byte[] q, int qOff) {
        float max = 0f;
        for (int d = 0; d < dim; d++) {
            float v = x[xOff + d];
            if (!Float.isFinite(v)) {
                throw nonFinite(row, d, v);
            }
            max = Math.max(max, Math.abs(v));
        }
        if (max == 0f) {
            java.util.Arrays.fill(q, qOff, qOff + dim, (byte) 0);
            return 0f;
        }
        float scale = max / 127f;
        for (int d = 0; d < dim; d++) {
            // dividing by the scale (not multiplying by 127/max) keeps round-to-nearest exact against s·q
            int v = Math.round(x[xOff + d] / scale);
            q[qOff + d] = (byte) Math.max(-127, Math.min(127, v));
        }
        return scale;
    }

    /** Encodes {@code x[xOff .. xOff+dim)} as half floats into {@code h[hOff ..]}. */
    public static void fp16(int row, float[] x, int xOff, int dim, short[] h, int hOff) {
        for (int d = 0; d < dim; d++) {
            float v = x[xOff + d];
            if (!Float.isFinite(v)) {
                throw nonFinite(row, d, v);
            }
            if (Math.abs(v) > FP16_MAX) {
                throw new IllegalArgumentException("value " + v + " at row " + row + ", column " + d
                        + " is beyond the fp16 range (|x| <= " + FP16_MAX + "); use int8 instead");
            }
            h[hOff + d] = Float.floatToFloat16(v);
        }
    }

    private static IllegalArgumentException nonFinite(int row, int d, float v) {
        return new IllegalArgumentException(
                "value " + v + " at row " + row + ", column " + d + " is not finite: the vectors cannot be quantized");
    }
}
