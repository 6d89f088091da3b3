package org.embed4j.nn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Supplier;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.Tensor;

/**
 * Test plumbing for the nn and optim tests: the Java reference backend, host copies, tolerance comparisons
 * (|e − a| <= atol + rtol·|e|, failures list the first mismatches by position) and central finite differences
 * of a scalar function of a host parameter tensor, accumulated in double.
 */
public final class NnAssert {
    private NnAssert() {}

    /** The Java reference backend (host tensors, so tests can perturb parameters in place). */
    public static Backend java() {
        return Backends.get("java");
    }

    /** Whether the native CPU backend can run here (library loads, CPU has AVX2+FMA). */
    public static boolean cpuAvailable() {
        return Backends.available().stream().anyMatch(x -> x.name().equals("cpu"));
    }

    /**
     * The native CPU backend, or the Java one where it cannot run: for the field initializers of the CPU
     * variants of a test class, whose {@code @BeforeEach} then skips with {@link #cpuAvailable()}.
     */
    public static Backend cpuOrJava() {
        return cpuAvailable() ? Backends.get("cpu") : java();
    }

    /** A host copy of {@code t}'s values. */
    public static float[] values(Backend b, Tensor t) {
        if (t.device().isHost()) {
            return t.toFloatArray();
        }
        try (Tensor h = b.toHost(t)) {
            return h.toFloatArray();
        }
    }

    public static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= atol + rtol * Math.abs(expected[i]))) {
                if (bad < 5) {
                    report.append("\n  at ")
                            .append(i)
                            .append(": expected ")
                            .append(expected[i])
                            .append(", actual ")
                            .append(actual[i])
                            .append(" (diff ")
                            .append(diff)
                            .append(')');
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ beyond atol " + atol + " + rtol "
                    + rtol + "; first ones:" + report);
        }
    }

    public static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(e, actual, atol, rtol, what);
    }

    /** Σ out·r in double: the scalar whose gradient with respect to out is r. */
    public static double dot(float[] out, float[] r) {
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (double) out[i] * r[i];
        }
        return s;
    }

    /**
     * Central differences d f / d p[i] for every element of the host F32 tensor {@code p}, perturbing in place and
     * restoring each element exactly.
     */
    public static double[] numericGrad(Tensor p, Supplier<Double> f, float h) {
        double[] g = new double[Math.toIntExact(p.numel())];
        for (int i = 0; i < g.length; i++) {
            float v = p.getFloat(i);
            p.setFloat(i, v + h);
            double plus = f.get();
            p.setFloat(i, v - h);
            double minus = f.get();
            p.setFloat(i, v);
            g[i] = (plus - minus) / ((double) (v + h) - (double) (v - h));
        }
        return g;
    }

    /** Deterministic pseudo-random values in [-1, 1). */
    public static float[] randoms(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
