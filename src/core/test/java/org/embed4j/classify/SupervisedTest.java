package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fastText step against a double-precision reference written from the formulas in Supervised's header. */
class SupervisedTest {

    private static void assertClose(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 + 1e-4 * Math.abs(expected[i]);
            if (Math.abs(expected[i] - actual[i]) > tol) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
            }
        }
    }

    @Test
    void stepMatchesReference() {
        for (int dim : new int[] {1, 7, 8, 17, 33}) {
            for (int k : new int[] {2, 5}) {
                checkStep(dim, k, new int[] {0, 3, 3, 5}, 1, 0.3f);
            }
        }
    }

    private static void checkStep(int dim, int k, int[] rows, int target, float lr) {
        int v = 6;
        SplittableRandom rng = new SplittableRandom(dim * 31L + k);
        float[] input = new float[v * dim];
        float[] output = new float[k * dim];
        fillUniform(input, rng);
        fillUniform(output, rng);
        // reference in double
        double[] hidden = meanOfRows(input, rows, dim);
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            for (int d = 0; d < dim; d++) {
                logits[c] += output[c * dim + d] * hidden[d];
            }
            max = Math.max(max, logits[c]);
        }
        double z = 0;
        for (int c = 0; c < k; c++) {
            z += Math.exp(logits[c] - max);
        }
        double[] expOut = new double[output.length];
        double[] grad = new double[dim];
        for (int c = 0; c < k; c++) {
            double alpha = lr * ((c == target ? 1 : 0) - Math.exp(logits[c] - max) / z);
            for (int d = 0; d < dim; d++) {
                grad[d] += alpha * output[c * dim + d];
                expOut[c * dim + d] = output[c * dim + d] + alpha * hidden[d];
            }
        }
        double[] expIn = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            expIn[i] = input[i];
        }
        for (int r : rows) { // a row listed twice gets the gradient twice, like fastText
            for (int d = 0; d < dim; d++) {
                expIn[r * dim + d] += grad[d] / rows.length;
            }
        }
        double expLoss = -(logits[target] - max - Math.log(z));

        float loss =
                Supervised.step(input, output, dim, rows, target, lr, new double[dim], new double[dim], new float[k]);
        assertEquals(expLoss, loss, 1e-5 + 1e-4 * expLoss, "loss dim " + dim + " k " + k);
        assertClose(expOut, output, "output dim " + dim + " k " + k);
        assertClose(expIn, input, "input dim " + dim + " k " + k);
    }

    @Test
    void oneVsAllStepMatchesReference() {
        int dim = 9;
        int k = 4;
        int[] rows = {1, 2, 2};
        int[] targets = {0, 3};
        float lr = 0.2f;
        SplittableRandom rng = new SplittableRandom(5);
        float[] input = new float[4 * dim];
        float[] output = new float[k * dim];
        fillUniform(input, rng);
        fillUniform(output, rng);
        double[] hidden = meanOfRows(input, rows, dim);
        double[] expOut = new double[output.length];
        double[] grad = new double[dim];
        double expLoss = 0;
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int d = 0; d < dim; d++) {
                s += output[c * dim + d] * hidden[d];
            }
            double p = 1 / (1 + Math.exp(-s));
            boolean y = c == 0 || c == 3;
            expLoss -= Math.log(y ? p : 1 - p);
            double alpha = lr * ((y ? 1 : 0) - p);
            for (int d = 0; d < dim; d++) {
                grad[d] += alpha * output[c * dim + d];
                expOut[c * dim + d] = output[c * dim + d] + alpha * hidden[d];
            }
        }
        double[] expIn = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            expIn[i] = input[i];
        }
        for (int r : rows) {
            for (int d = 0; d < dim; d++) {
                expIn[r * dim + d] += grad[d] / rows.length;
            }
        }
        float loss = Supervised.stepOva(
                input, output, dim, rows, targets, lr, new double[dim], new double[dim], new float[k]);
        assertEquals(expLoss, loss, 1e-5 + 1e-4 * expLoss);
        assertClose(expOut, output, "output");
        assertClose(expIn, input, "input");
    }

    /** A step under test, given the example's weights. */
    private interface BinaryStep {
        float apply(float[] input, float[] output, int dim, int[] rows, float lr, double[] hidden, double[] grad);
    }

    /**
     * The binary-logistic steps of hs and ns against a double reference: each listed output row u with target y gets
     * p = σ(u·h), α = lr·(y − p), grad += α·u, u += α·h (in list order); then the input rows += grad / rows.
     */
    private static void checkBinarySteps(int[] units, boolean[] ys, BinaryStep step) {
        int dim = 11;
        int[] rows = {0, 2, 2, 4};
        float lr = 0.25f;
        SplittableRandom rng = new SplittableRandom(17);
        float[] input = new float[5 * dim];
        float[] output = new float[6 * dim];
        fillUniform(input, rng);
        fillUniform(output, rng);
        double[] hidden = meanOfRows(input, rows, dim);
        double[] expOut = new double[output.length];
        for (int i = 0; i < output.length; i++) {
            expOut[i] = output[i];
        }
        double[] grad = new double[dim];
        double expLoss = 0;
        for (int i = 0; i < units.length; i++) {
            int u = units[i];
            double s = 0;
            for (int d = 0; d < dim; d++) {
                s += expOut[u * dim + d] * hidden[d];
            }
            double p = 1 / (1 + Math.exp(-s));
            expLoss -= Math.log(ys[i] ? p : 1 - p);
            double alpha = lr * ((ys[i] ? 1 : 0) - p);
            for (int d = 0; d < dim; d++) {
                grad[d] += alpha * expOut[u * dim + d];
                expOut[u * dim + d] += alpha * hidden[d];
            }
        }
        double[] expIn = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            expIn[i] = input[i];
        }
        for (int r : rows) {
            for (int d = 0; d < dim; d++) {
                expIn[r * dim + d] += grad[d] / rows.length;
            }
        }
        float loss = step.apply(input, output, dim, rows, lr, new double[dim], new double[dim]);
        assertEquals(expLoss, loss, 1e-5 + 1e-4 * expLoss);
        assertClose(expOut, output, "output");
        assertClose(expIn, input, "input");
    }

    @Test
    void hierarchicalSoftmaxStepMatchesReference() {
        int[] path = {3, 1, 4};
        boolean[] code = {true, false, true};
        checkBinarySteps(
                path,
                code,
                (in, out, dim, rows, lr, h, g) -> Supervised.stepHs(in, out, dim, rows, path, code, lr, h, g, null));
    }

    @Test
    void negativeSamplingStepMatchesReference() {
        // target 2, negatives 5, 0, 5 (a label drawn twice is updated twice); the trailing 1 is past count and unused
        int[] negatives = {5, 0, 5, 1};
        checkBinarySteps(
                new int[] {2, 5, 0, 5},
                new boolean[] {true, false, false, false},
                (in, out, dim, rows, lr, h, g) ->
                        Supervised.stepNs(in, out, dim, rows, 2, negatives, 3, lr, h, g, null));
    }

    /** Fills {@code a} with uniform draws from [-1, 1), in index order. */
    private static void fillUniform(float[] a, SplittableRandom rng) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextDouble(-1, 1);
        }
    }

    /** The reference hidden vector: the mean of the listed rows, accumulated in double. */
    private static double[] meanOfRows(float[] input, int[] rows, int dim) {
        double[] hidden = new double[dim];
        for (int r : rows) {
            for (int d = 0; d < dim; d++) {
                hidden[d] += input[r * dim + d] / (double) rows.length;
            }
        }
        return hidden;
    }
}
