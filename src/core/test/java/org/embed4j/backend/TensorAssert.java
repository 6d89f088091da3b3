package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.fail;

import org.embed4j.tensor.Tensor;

/**
 * Comparisons for kernel tests: abs + rel tolerance (|e - a| <= atol + rtol·|e|) and bit equality, reporting
 * the first 5 mismatching positions (flat index and, for 2-D data, (row, col)) with both values.
 */
final class TensorAssert {
    private static final int SHOWN = 5;

    private TensorAssert() {}

    static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        assertClose(expected, actual, atol, rtol, 0, what);
    }

    /** cols > 0 also prints (row, col) positions. NaN matches NaN; infinities must match exactly. */
    static void assertClose(float[] expected, float[] actual, double atol, double rtol, int cols, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a) || Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = Float.compare(e, a) == 0 || (Float.isNaN(e) && Float.isNaN(a));
            } else {
                double diff = Math.abs((double) e - a);
                ok = diff <= atol + rtol * Math.abs(e);
                worst = Math.max(worst, diff);
            }
            if (!ok) {
                if (bad < SHOWN) {
                    report.append("\n  at ")
                            .append(position(i, cols))
                            .append(": expected ")
                            .append(e)
                            .append(", actual ")
                            .append(a)
                            .append(" (diff ")
                            .append(Math.abs((double) e - a))
                            .append(')');
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ beyond atol " + atol + " + rtol "
                    + rtol + " (max abs diff " + worst + "); first ones:" + report);
        }
    }

    static void assertBitEqual(float[] expected, float[] actual, int cols, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                if (bad < SHOWN) {
                    report.append("\n  at ")
                            .append(position(i, cols))
                            .append(": expected ")
                            .append(expected[i])
                            .append(", actual ")
                            .append(actual[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements are not bit-identical; first ones:"
                    + report);
        }
    }

    static void assertEqual(long[] expected, long[] actual, int cols, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                if (bad < SHOWN) {
                    report.append("\n  at ")
                            .append(position(i, cols))
                            .append(": expected ")
                            .append(expected[i])
                            .append(", actual ")
                            .append(actual[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ; first ones:" + report);
        }
    }

    static void assertClose(Tensor expected, Tensor actual, double atol, double rtol, String what) {
        assertClose(expected.toFloatArray(), actual.toFloatArray(), atol, rtol, cols(expected), what);
    }

    private static int cols(Tensor t) {
        return t.rank() >= 2 ? (int) t.size(-1) : 0;
    }

    private static String position(int i, int cols) {
        return cols > 0 ? "[" + i + "] (" + (i / cols) + ", " + (i % cols) + ")" : "[" + i + "]";
    }
}
