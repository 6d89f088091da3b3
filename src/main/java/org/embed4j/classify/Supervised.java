package org.embed4j.classify;

/**
 * The fastText supervised step, in plain Java over float arrays (HotSpot vectorises the row loops):
 * hidden = mean of input rows; p = softmax(output · hidden); for each class c,
 * α = lr·(1[c = target] − p_c), grad += α·output_c, output_c += α·hidden; then every input row += grad / rows.
 * One-vs-all ({@link #stepOva}): the same with p_c = σ(output_c · hidden) and 1[c ∈ targets], loss Σ_c binary
 * cross-entropy (fastText's {@code -loss ova}).
 * Rows are updated without locks by several threads at once (Hogwild, as fastText does), on purpose.
 */
final class Supervised {
    private Supervised() {
    }

    static void meanRows(float[] input, int[] rows, int dim, float[] hidden) {
        java.util.Arrays.fill(hidden, 0f);
        if (rows.length == 0) {
            return;
        }
        for (int r : rows) {
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                hidden[d] += input[base + d];
            }
        }
        float inv = 1f / rows.length;
        for (int d = 0; d < dim; d++) {
            hidden[d] *= inv;
        }
    }

    static void softmax(float[] output, float[] hidden, int dim, float[] probs) {
        int k = probs.length;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            float s = 0f;
            int base = c * dim;
            for (int d = 0; d < dim; d++) {
                s += output[base + d] * hidden[d];
            }
            probs[c] = s;
            max = Math.max(max, s);
        }
        float sum = 0f;
        for (int c = 0; c < k; c++) {
            probs[c] = (float) Math.exp(probs[c] - max);
            sum += probs[c];
        }
        for (int c = 0; c < k; c++) {
            probs[c] /= sum;
        }
    }

    /** One example's update; returns its loss −log p_target. Scratch arrays are the caller's (per thread). */
    static float step(float[] input, float[] output, int dim, int[] rows, int target, float lr,
                      float[] hidden, float[] grad, float[] probs) {
        return step(input, output, dim, rows, target, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float step(float[] input, float[] output, int dim, int[] rows, int target, float lr,
                      float[] hidden, float[] grad, float[] probs, boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        softmax(output, hidden, dim, probs);
        java.util.Arrays.fill(grad, 0f);
        for (int c = 0; c < probs.length; c++) {
            float alpha = lr * ((c == target ? 1f : 0f) - probs[c]);
            int base = c * dim;
            for (int d = 0; d < dim; d++) {
                grad[d] += alpha * output[base + d];
                output[base + d] += alpha * hidden[d];
            }
        }
        float scale = 1f / rows.length;
        for (int d = 0; d < dim; d++) {
            grad[d] *= scale;
        }
        for (int r : rows) {
            if (frozen != null && r < frozen.length && frozen[r]) {
                continue;
            }
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                input[base + d] += grad[d];
            }
        }
        return (float) -Math.log(Math.max(probs[target], 1e-10f));
    }

    /** σ(output_c · hidden) for every class c: one-vs-all probabilities. */
    static void sigmoids(float[] output, float[] hidden, int dim, float[] probs) {
        for (int c = 0; c < probs.length; c++) {
            float s = 0f;
            int base = c * dim;
            for (int d = 0; d < dim; d++) {
                s += output[base + d] * hidden[d];
            }
            probs[c] = (float) (1.0 / (1.0 + Math.exp(-s)));
        }
    }

    /** One example's one-vs-all update; {@code targets} are its label ids. Returns Σ_c −log p(y_c). */
    static float stepOva(float[] input, float[] output, int dim, int[] rows, int[] targets, float lr,
                         float[] hidden, float[] grad, float[] probs) {
        return stepOva(input, output, dim, rows, targets, lr, hidden, grad, probs, null);
    }

    /** As above; input rows r with {@code frozen[r]} (r below its length) are left unchanged. */
    static float stepOva(float[] input, float[] output, int dim, int[] rows, int[] targets, float lr,
                         float[] hidden, float[] grad, float[] probs, boolean[] frozen) {
        meanRows(input, rows, dim, hidden);
        sigmoids(output, hidden, dim, probs);
        java.util.Arrays.fill(grad, 0f);
        double loss = 0;
        for (int c = 0; c < probs.length; c++) {
            boolean positive = false;
            for (int t : targets) {
                positive |= t == c;
            }
            loss -= Math.log(Math.max(positive ? probs[c] : 1f - probs[c], 1e-10f));
            float alpha = lr * ((positive ? 1f : 0f) - probs[c]);
            int base = c * dim;
            for (int d = 0; d < dim; d++) {
                grad[d] += alpha * output[base + d];
                output[base + d] += alpha * hidden[d];
            }
        }
        float scale = 1f / rows.length;
        for (int r : rows) {
            if (frozen != null && r < frozen.length && frozen[r]) {
                continue;
            }
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                input[base + d] += grad[d] * scale;
            }
        }
        return (float) loss;
    }
}
