package org.embed4j.bench;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.openblas.global.openblas_full;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM throughput: the native CPU backend's {@code gemm} (e4j_gemm, AVX2) against OpenBLAS {@code cblas_sgemm}
 * (the anchor) on the same memory, in the same JVM. Cases: square 256..2048 (NN), and the three products of
 * nn.Linear on a batch of 512 (forward Y = X·Wᵀ, backward dX = dY·W, dW += dYᵀ·X).
 *
 * <p>Threads: both sides use {@code -Dembed4j.threads} (CpuBackend reads it; OpenBLAS gets it through
 * openblas_set_num_threads), so bench/suites/gemm.sh runs one fork per thread count. Setup checks that both
 * agree before anything is timed. Score: µs per call; gemm.sh turns it into GFLOP/s = 2·M·N·K / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    /** sqS: S×S×S; fwd/dx/dw_inI_outO: nn.Linear(I, O) on a batch of 512. */
    @Param({
        "sq256",
        "sq512",
        "sq1024",
        "sq2048",
        "fwd_in300_out2",
        "dx_in300_out2",
        "dw_in300_out2",
        "fwd_in100_out100",
        "dx_in100_out100",
        "dw_in100_out100",
        "fwd_in300_out1000",
        "dx_in300_out1000",
        "dw_in300_out1000"
    })
    public String shape;

    static final int BATCH = 512;
    static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112; // CBLAS enum values

    private Backend backend;
    private Tensor a, b, c, cAnchor;
    private FloatBuffer aBuf, bBuf, cBuf;
    private int m, n, k;
    private boolean transA, transB;
    private float beta;

    /** (M, N, K, transA, transB, beta) of a case name; beta 1 where the layer accumulates (dW). */
    record Case(int m, int n, int k, boolean transA, boolean transB, float beta) {
        static Case parse(String s) {
            if (s.startsWith("sq")) {
                int size = Integer.parseInt(s.substring(2));
                return new Case(size, size, size, false, false, 0f);
            }
            String[] p = s.split("_");
            int in = Integer.parseInt(p[1].substring(2)), out = Integer.parseInt(p[2].substring(3));
            return switch (p[0]) {
                case "fwd" -> new Case(BATCH, out, in, false, true, 0f); // X (B,in) · W (out,in)ᵀ
                case "dx" -> new Case(BATCH, in, out, false, false, 0f); // dY (B,out) · W (out,in)
                case "dw" -> new Case(out, in, BATCH, true, false, 1f); // dY (B,out)ᵀ · X (B,in), accumulated
                default -> throw new IllegalArgumentException("unknown gemm case " + s);
            };
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        Case cs = Case.parse(shape);
        m = cs.m();
        n = cs.n();
        k = cs.k();
        transA = cs.transA();
        transB = cs.transB();
        beta = cs.beta();
        backend = Backends.get("cpu");
        int threads = Integer.getInteger("embed4j.threads", Runtime.getRuntime().availableProcessors());
        openblas_full.openblas_set_num_threads(threads);
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(rnd, transA ? new long[] {k, m} : new long[] {m, k});
        b = random(rnd, transB ? new long[] {n, k} : new long[] {k, n});
        c = Tensor.allocate(DType.F32, m, n);
        cAnchor = Tensor.allocate(DType.F32, m, n);
        aBuf = floats(a);
        bBuf = floats(b);
        cBuf = floats(cAnchor);
        checkAgainstAnchor();
    }

    private static Tensor random(SplittableRandom rnd, long[] shape) {
        Tensor t = Tensor.allocate(DType.F32, shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFloat(i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return t;
    }

    private static FloatBuffer floats(Tensor t) {
        return t.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** One product by both, beta = 0: relative Frobenius error must be float rounding, else timing is meaningless. */
    private void checkAgainstAnchor() {
        backend.gemm(transA, transB, 1f, a, b, 0f, c);
        anchorGemm(0f);
        double err = 0, ref = 0;
        for (long i = 0; i < (long) m * n; i++) {
            double d = c.getFloat(i) - cAnchor.getFloat(i);
            err += d * d;
            ref += (double) cAnchor.getFloat(i) * cAnchor.getFloat(i);
        }
        double rel = Math.sqrt(err / Math.max(ref, 1e-30));
        if (!(rel < 1e-5)) {
            throw new IllegalStateException("gemm " + shape + " disagrees with OpenBLAS: relative error " + rel);
        }
    }

    private void anchorGemm(float b0) {
        openblas_full.cblas_sgemm(
                ROW_MAJOR,
                transA ? TRANS : NO_TRANS,
                transB ? TRANS : NO_TRANS,
                m,
                n,
                k,
                1f,
                aBuf,
                transA ? m : k,
                bBuf,
                transB ? k : n,
                b0,
                cBuf,
                n);
    }

    @Benchmark
    public void ours() {
        backend.gemm(transA, transB, 1f, a, b, beta, c);
    }

    @Benchmark
    public void anchor() {
        anchorGemm(beta);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        c.close();
        cAnchor.close();
    }
}
