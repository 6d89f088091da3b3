package org.embed4j.classify;

import java.util.Arrays;

/**
 * The fastText supervised step, in plain Java over float arrays:
 * hidden = mean of input rows; p = softmax(output · hidden); for each class c,
 * α = lr·(1[c = target] − p_c), grad += α·output_c, output_c += α·hidden; then every input row += grad / rows.
 * One-vs-all ({@link #stepOva}): the same with p_c = σ(output_c · hidden) and 1[c ∈ targets], loss Σ_c binary
 * cross-entropy (fastText's {@code -loss ova}).
 *
 * <p>The weights are float; the per-thread scratch vectors {@code hidden} and {@code grad} are double on purpose:
 * HotSpot's auto-vectoriser does not vectorise {@code a[i] += b[base + i]} when a and b are both float[] (they might
 * be the same array), but does when their types differ — 3-4× faster row loops, and a more precise mean.
 * Rows are updated without locks by several threads at once (Hogwild, as fastText does), on purpose.
 */
final class Supervised {
    private Supervised() {
    }

    static void meanRows(float[] input, int[] rows, int dim, double[] hidden) {
        Arrays.fill(hidden, 0, dim, 0.0);
        if (rows.length == 0) {
            return;
        }
        for (int r : rows) {
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                hidden[d] += input[base + d];
            }
        }
        double inv = 1.0 / rows.length;
        for (int d = 0; d < dim; d++) {
            hidden[d] *= inv;
        }
    }

    private static double dot(float[] output, int base, double[] hidden, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += output[base + d] * hidden[d];
        }
        return s;
    }

    static void softmax(float[] output, double[] hidden, int dim, float[] probs) {
        int k = probs.length;
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            logits[c] = dot(output, c * dim, hidden, dim);
            max = Math.max(max, logits[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            logits[c] = Math.exp(logits[c] - max);
            sum += logits[c];
        }
        for (int c = 0; c < k; c++) {
            probs[c] = (float) (logits[c] / sum);
        }
    }

    /** σ(output_c · hidden) for every class c: one-vs-all probabilities. */
    static void sigmoids(float[] output, double[] hidden, int dim, float[] probs) {
        for (int c = 0; c < probs.length; c++) {
            probs[c] = (float) (1.0 / (1.0 + Math.exp(-dot(output, c * dim, hidden, dim))));
        }
    }

    /** One example's update; returns its loss −log p_target. Scratch arrays are the caller's (per thread). */
    static float step(float[] input, float[] output, int dim, int[] rows, int target, float lr,
                      double[] hidden, double[] grad, float[] probs) {
        return step(input, output, dim, rows, target, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float step(float[] input, float[] output, int dim, int[] rows, int target, float lr,
                      double[] hidden, double[] grad, float[] probs, boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        softmax(output, hidden, dim, probs);
        Arrays.fill(grad, 0, dim, 0.0);
        for (int c = 0; c < probs.length; c++) {
            outputStep(output, c * dim, lr * ((c == target ? 1f : 0f) - probs[c]), hidden, grad, dim);
        }
        updateRows(input, rows, dim, grad, frozen);
        return (float) -Math.log(Math.max(probs[target], 1e-10f));
    }

    /** One example's one-vs-all update; {@code targets} are its label ids. Returns Σ_c −log p(y_c). */
    static float stepOva(float[] input, float[] output, int dim, int[] rows, int[] targets, float lr,
                         double[] hidden, double[] grad, float[] probs) {
        return stepOva(input, output, dim, rows, targets, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float stepOva(float[] input, float[] output, int dim, int[] rows, int[] targets, float lr,
                         double[] hidden, double[] grad, float[] probs, boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        sigmoids(output, hidden, dim, probs);
        Arrays.fill(grad, 0, dim, 0.0);
        double loss = 0;
        for (int c = 0; c < probs.length; c++) {
            boolean positive = false;
            for (int t : targets) {
                positive |= t == c;
            }
            loss -= Math.log(Math.max(positive ? probs[c] : 1f - probs[c], 1e-10f));
            outputStep(output, c * dim, lr * ((positive ? 1f : 0f) - probs[c]), hidden, grad, dim);
        }
        updateRows(input, rows, dim, grad, frozen);
        return (float) loss;
    }

    /** grad += α·output_c (before the update), output_c += α·hidden. */
    private static void outputStep(float[] output, int base, double alpha, double[] hidden, double[] grad, int dim) {
        for (int d = 0; d < dim; d++) {
            grad[d] += alpha * output[base + d];
            output[base + d] += (float) (alpha * hidden[d]);
        }
    }

    /** Every (unfrozen) input row += grad / rows: the gradient of the mean. */
    private static void updateRows(float[] input, int[] rows, int dim, double[] grad, boolean[] frozen) {
        double scale = 1.0 / rows.length;
        for (int d = 0; d < dim; d++) {
            grad[d] *= scale;
        }
        for (int r : rows) {
            if (frozen != null && r < frozen.length && frozen[r]) {
                continue;
            }
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                input[base + d] += (float) grad[d];
            }
        }
    }
}
