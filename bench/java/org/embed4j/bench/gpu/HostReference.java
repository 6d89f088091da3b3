package org.embed4j.bench.gpu;

/**
 * Plain-Java references of the timed kernels, in double where a sum is involved: what each GPU benchmark checks one
 * small, awkward-sized result against in its setup, before it times anything. Stateless and thread-safe.
 */
final class HostReference {
    private HostReference() {}

    /** out[n,:] = W[idx[n],:]. */
    static double[] gather(float[] w, int d, long[] idx) {
        double[] out = new double[idx.length * d];
        for (int n = 0; n < idx.length; n++) {
            for (int j = 0; j < d; j++) {
                out[n * d + j] = w[(int) idx[n] * d + j];
            }
        }
        return out;
    }

    /** Bag b sums (or averages) W's rows idx[offsets[b] .. offsets[b+1]); an empty bag is zeros. */
    static double[] bag(float[] w, int d, long[] idx, long[] offsets, boolean mean) {
        int bags = offsets.length - 1;
        double[] out = new double[bags * d];
        for (int b = 0; b < bags; b++) {
            int from = (int) offsets[b];
            int to = (int) offsets[b + 1];
            for (int n = from; n < to; n++) {
                for (int j = 0; j < d; j++) {
                    out[b * d + j] += w[(int) idx[n] * d + j];
                }
            }
            if (mean && to > from) {
                for (int j = 0; j < d; j++) {
                    out[b * d + j] /= to - from;
                }
            }
        }
        return out;
    }

    /**
     * Mean softmax cross-entropy of B rows of K logits: element 0 is the loss, elements 1 .. B·K the gradient
     * (softmax - one-hot) / B.
     */
    static double[] softmaxXentMean(float[] logits, long[] targets, int b, int k) {
        double[] out = new double[1 + b * k];
        for (int r = 0; r < b; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, logits[r * k + c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logits[r * k + c] - max);
            }
            int t = (int) targets[r];
            out[0] += (Math.log(sum) + max - logits[r * k + t]) / b;
            for (int c = 0; c < k; c++) {
                double p = Math.exp(logits[r * k + c] - max) / sum;
                out[1 + r * k + c] = (p - (c == t ? 1 : 0)) / b;
            }
        }
        return out;
    }

    /** One SGD step on the rows the batch touched: W[idx[n]] -= lr · dout[n] for every n (duplicates add up). */
    static double[] sgdStep(float[] w, int d, float[] dout, long[] idx, float lr) {
        double[] grad = new double[w.length];
        for (int n = 0; n < idx.length; n++) {
            for (int j = 0; j < d; j++) {
                grad[(int) idx[n] * d + j] += dout[n * d + j];
            }
        }
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] - (double) lr * grad[i];
        }
        return out;
    }

    /** Row-major C(M,N) = A(M,K) B(K,N) in double. */
    static double[] gemm(float[] a, float[] b, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double x = a[i * k + p];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += x * b[p * n + j];
                }
            }
        }
        return c;
    }

    /**
     * Throws IllegalStateException naming the first element where |got - want| > atol + rtol·|want|, with the count
     * of such elements.
     */
    static void requireClose(String what, float[] got, double[] want, double rtol, double atol) {
        if (got.length != want.length) {
            throw new IllegalStateException(what + ": " + got.length + " values, expected " + want.length);
        }
        int bad = 0;
        int first = -1;
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw new IllegalStateException(what + " differs from the Java reference at " + bad + " of " + got.length
                    + " positions, first at " + first + ": " + got[first] + " vs " + want[first]);
        }
    }
}
