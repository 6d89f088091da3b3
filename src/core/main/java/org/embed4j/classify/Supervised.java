package org.embed4j.classify;

import java.util.Arrays;

/**
 * The fastText supervised step, in plain Java over float arrays:
 * hidden = mean of input rows; p = softmax(output · hidden); for each class c,
 * α = lr·(1[c = target] − p_c), grad += α·output_c, output_c += α·hidden; then every input row += grad / rows.
 * One-vs-all ({@link #stepOva}): the same with p_c = σ(output_c · hidden) and 1[c ∈ targets], loss Σ_c binary
 * cross-entropy (fastText's {@code -loss ova}).
 * Hierarchical softmax ({@link #stepHs}) and negative sampling ({@link #stepNs}) apply the same binary logistic unit
 * only to some rows: the inner nodes on the target's tree path (target = the branch taken), or the target label
 * (target 1) and the sampled negative labels (target 0); the loss is the sum of their binary cross-entropies.
 *
 * <p>The weights are float; the per-thread scratch vectors {@code hidden} and {@code grad} are double on purpose:
 * HotSpot's auto-vectoriser does not vectorise {@code a[i] += b[base + i]} when a and b are both float[] (they might
 * be the same array), but does when their types differ — 3-4× faster row loops, and a more precise mean.
 * Rows are updated without locks by several threads at once (Hogwild, as fastText does), on purpose.
 */
final class Supervised {
    private Supervised() {}

    /** hidden = the mean of the input rows (zeros when there are none), in the order of {@code rows}. */
    static void meanRows(float[] input, int[] rows, int dim, double[] hidden) {
        Arrays.fill(hidden, 0, dim, 0.0);
        for (int r : rows) {
            RowKernels.add(input, r * dim, hidden, dim);
        }
        RowKernels.toMean(hidden, dim, rows.length);
    }

    static void softmax(float[] output, double[] hidden, int dim, float[] probs) {
        double[] logits = new double[probs.length];
        for (int c = 0; c < logits.length; c++) {
            logits[c] = RowKernels.dot(output, c * dim, hidden, dim);
        }
        softmax(logits, probs);
    }

    /** probs = softmax(logits), computed stably; {@code logits} is overwritten. */
    static void softmax(double[] logits, float[] probs) {
        softmax(logits, probs, 0);
    }

    /** probs[offset + c] = softmax(logits)_c, computed stably; {@code logits} is overwritten. */
    static void softmax(double[] logits, float[] probs, int offset) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            logits[c] = Math.exp(logits[c] - max);
            sum += logits[c];
        }
        for (int c = 0; c < logits.length; c++) {
            probs[offset + c] = (float) (logits[c] / sum);
        }
    }

    /** σ(output_c · hidden) for every class c: one-vs-all probabilities. */
    static void sigmoids(float[] output, double[] hidden, int dim, float[] probs) {
        for (int c = 0; c < probs.length; c++) {
            probs[c] = (float) sigmoid(RowKernels.dot(output, c * dim, hidden, dim));
        }
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** One example's update; returns its loss −log p_target. Scratch arrays are the caller's (per thread). */
    static float step(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int target,
            float lr,
            double[] hidden,
            double[] grad,
            float[] probs) {
        return step(input, output, dim, rows, target, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float step(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int target,
            float lr,
            double[] hidden,
            double[] grad,
            float[] probs,
            boolean[] frozen) {
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
    static float stepOva(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int[] targets,
            float lr,
            double[] hidden,
            double[] grad,
            float[] probs) {
        return stepOva(input, output, dim, rows, targets, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float stepOva(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int[] targets,
            float lr,
            double[] hidden,
            double[] grad,
            float[] probs,
            boolean[] frozen) {
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

    /**
     * One example's hierarchical-softmax update along the target's {@code path} of output rows with {@code code}
     * the branch taken at each (true: the unit's target is 1). Returns −log p_target = Σ binary cross-entropies.
     */
    static float stepHs(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int[] path,
            boolean[] code,
            float lr,
            double[] hidden,
            double[] grad,
            boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        Arrays.fill(grad, 0, dim, 0.0);
        double loss = 0;
        for (int i = 0; i < path.length; i++) {
            loss += binaryLogistic(output, path[i] * dim, code[i], lr, hidden, grad, dim);
        }
        updateRows(input, rows, dim, grad, frozen);
        return (float) loss;
    }

    /**
     * One example's negative-sampling update: the target label's row with target 1, then the first {@code count}
     * labels of {@code negatives} with target 0. Returns the summed binary cross-entropy.
     */
    static float stepNs(
            float[] input,
            float[] output,
            int dim,
            int[] rows,
            int target,
            int[] negatives,
            int count,
            float lr,
            double[] hidden,
            double[] grad,
            boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        Arrays.fill(grad, 0, dim, 0.0);
        double loss = binaryLogistic(output, target * dim, true, lr, hidden, grad, dim);
        for (int i = 0; i < count; i++) {
            loss += binaryLogistic(output, negatives[i] * dim, false, lr, hidden, grad, dim);
        }
        updateRows(input, rows, dim, grad, frozen);
        return (float) loss;
    }

    /** p = σ(output_row · hidden), α = lr·(y − p), then {@link #outputStep}; returns −log p(y). */
    private static double binaryLogistic(
            float[] output, int base, boolean y, float lr, double[] hidden, double[] grad, int dim) {
        double p = sigmoid(RowKernels.dot(output, base, hidden, dim));
        outputStep(output, base, lr * ((y ? 1.0 : 0.0) - p), hidden, grad, dim);
        return -Math.log(Math.max(y ? p : 1 - p, 1e-10));
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
