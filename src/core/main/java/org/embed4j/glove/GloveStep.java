package org.embed4j.glove;

/**
 * The GloVe loss and its gradient for a batch of co-occurrence records, in plain Java over rows gathered from the
 * weight matrices. Rows are D+1 wide: D vector elements, then the bias. For record r = (i, j, X):
 * <pre>
 *   diff  = w_i · c_j + b_i + b~_j − log X
 *   f     = (X / xMax)^alpha when X &lt; xMax, else 1
 *   loss += ½ f diff²                                  (the reference's "cost")
 *   g     = lr · f · diff
 *   dW[r] = g · [c_j, 1],   dC[r] = g · [w_i, 1]         (the gradients, scaled by the learning rate)
 * </pre>
 * The update kernel then applies Adagrad with learning rate 1 and a squared-gradient sum that starts at 1, which is
 * the reference's rule {@code w -= lr·grad / sqrt(1 + Σ (lr·grad)²)}, except that the current gradient is in the
 * sum when it is applied (torch.optim.Adagrad's order; the reference adds it after). Every record of a batch sees the
 * weights as they were before the batch; a row named twice in a batch gets the sum of its gradients.
 * Stateless; thread-safe.
 */
final class GloveStep {
    private GloveStep() {}

    /** f(X) = (X/xMax)^alpha below xMax, 1 from there (the paper's weighting function). */
    static double weight(double x, double xMax, double alpha) {
        return x < xMax ? Math.pow(x / xMax, alpha) : 1.0;
    }

    /**
     * Fills {@code dW} and {@code dC} (n rows of d+1) for the gathered rows {@code w} and {@code c} (n rows of d+1)
     * and the records' weights {@code x}; returns the batch's summed loss (before the update).
     */
    static double gradients(
            float[] w,
            float[] c,
            float[] x,
            int n,
            int d,
            float lr,
            double xMax,
            double alpha,
            float[] dW,
            float[] dC) {
        int width = d + 1;
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int base = r * width;
            double diff = dot(w, base, c, base, d) + w[base + d] + c[base + d] - Math.log(x[r]);
            double fdiff = weight(x[r], xMax, alpha) * diff;
            loss += 0.5 * fdiff * diff;
            float g = (float) (lr * fdiff);
            for (int k = 0; k < d; k++) {
                dW[base + k] = g * c[base + k];
                dC[base + k] = g * w[base + k];
            }
            dW[base + d] = g;
            dC[base + d] = g;
        }
        return loss;
    }

    /** a[ao, ao+d) · b[bo, bo+d) in double, four partial sums (independent adds pipeline). */
    static double dot(float[] a, int ao, float[] b, int bo, int d) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 3 < d; k += 4) {
            s0 += (double) a[ao + k] * b[bo + k];
            s1 += (double) a[ao + k + 1] * b[bo + k + 1];
            s2 += (double) a[ao + k + 2] * b[bo + k + 2];
            s3 += (double) a[ao + k + 3] * b[bo + k + 3];
        }
        for (; k < d; k++) {
            s0 += (double) a[ao + k] * b[bo + k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
