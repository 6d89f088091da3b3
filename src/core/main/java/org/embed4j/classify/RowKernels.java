package org.embed4j.classify;

/**
 * The arithmetic of prediction on one stored row, for each storage: add the row to a double hidden vector
 * ({@code hidden[d] += x_d}) and take its dot product with one ({@code Σ_d x_d · hidden[d]}, summed in order of d),
 * where {@code x_d} is the float, {@code scale · q_d} (int8) or the widened half float (fp16). The heap matrices
 * ({@link ClassifierMatrix.Floats} and friends) call these on their arrays and {@link MappedMatrix} on a row copied
 * out of the mapped file, so that a loaded model predicts bit for bit what the model that was saved predicted;
 * {@link Supervised}'s training step uses the float ones too. The accumulators are double for the reason
 * {@link Supervised} gives. Stateless.
 */
final class RowKernels {
    private RowKernels() {}

    static void add(float[] x, int base, double[] hidden, int dim) {
        for (int d = 0; d < dim; d++) {
            hidden[d] += x[base + d];
        }
    }

    static double dot(float[] x, int base, double[] hidden, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += x[base + d] * hidden[d];
        }
        return s;
    }

    static void add(byte[] q, int base, double scale, double[] hidden, int dim) {
        for (int d = 0; d < dim; d++) {
            hidden[d] += scale * q[base + d];
        }
    }

    /** Σ q_d · hidden[d] without the row's scale: the caller multiplies once per row, the scale factors out. */
    static double dot(byte[] q, int base, double[] hidden, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += q[base + d] * hidden[d];
        }
        return s;
    }

    static void add(short[] halves, int base, double[] hidden, int dim) {
        for (int d = 0; d < dim; d++) {
            hidden[d] += Float.float16ToFloat(halves[base + d]);
        }
    }

    static double dot(short[] halves, int base, double[] hidden, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += Float.float16ToFloat(halves[base + d]) * hidden[d];
        }
        return s;
    }

    /** Turns the sum of {@code count} rows into their mean (zeros stay zeros when there were none). */
    static void toMean(double[] hidden, int dim, int count) {
        if (count == 0) {
            return;
        }
        double inv = 1.0 / count;
        for (int d = 0; d < dim; d++) {
            hidden[d] *= inv;
        }
    }
}
