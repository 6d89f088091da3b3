package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.embed4j.internal.ffm.CudaKernels;
import org.embed4j.internal.ffm.NativeStatus;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Java side of the CUDA backend. Without a GPU (CI, the workstation): libembed4j_cuda loads (static cudart),
 * reports 0 devices with the CUDA reason, and Backends.get("cuda") fails with that reason — skipped with a visible
 * reason when the library was not built (-Pcuda). With a GPU: device memory round trips, gather bit-exact against
 * the Java reference, a bad index becomes IndexOutOfBoundsException naming position and value and the backend
 * stays usable, and the backward is bit-identical across runs. Kernel numerics on every backend are the
 * conformance tests' job (they run over Backends.available(), CUDA included where a device answers).
 */
class CudaBackendTest {

    /** The bindings, or a skipped test saying why the library is not here. */
    private static CudaKernels kernels() {
        try {
            return CudaKernels.load(CudaException::new);
        } catch (IllegalStateException e) {
            Assumptions.abort("libembed4j_cuda is not available (build with -Pcuda): " + e.getMessage());
            throw e;
        }
    }

    private static Backend cudaOrSkip() {
        BackendStatus s = Backends.describe().get(2);
        Assumptions.assumeTrue(s.available(), "no CUDA device here: " + s.detail());
        return Backends.get("cuda");
    }

    @Test
    void cudaStatusBecomesACudaExceptionWithTheErrorName() {
        RuntimeException e = NativeStatus.toException(
                NativeStatus.ERR_CUDA, "e4j_gemm_cuda", "cudaErrorMemoryAllocation: out of memory", CudaException::new);
        CudaException cuda = assertInstanceOf(CudaException.class, e);
        assertEquals("cudaErrorMemoryAllocation", cuda.errorName());
        assertTrue(cuda.getMessage().endsWith("[e4j_gemm_cuda]"), cuda.getMessage());
    }

    @Test
    void libraryLoadsAndReportsItsVersion() {
        CudaKernels k = kernels();
        assertFalse(k.library().version().isBlank());
        assertTrue(
                k.library().path().toString().endsWith("libembed4j_cuda.so"),
                k.library().path().toString());
    }

    @Test
    void withoutADeviceTheCountIsZeroWithTheReason() {
        CudaKernels k = kernels();
        int n = k.cudaDeviceCount();
        Assumptions.assumeTrue(n == 0, "a CUDA device answered (" + n + ")");
        String why = k.lastError();
        assertTrue(why.startsWith("no CUDA device"), why);
        assertTrue(why.contains("cudaGetDeviceCount") || why.contains("0 devices"), why);
    }

    @Test
    void withoutADeviceBackendsGetCudaFailsWithThatReason() {
        CudaKernels k = kernels();
        Assumptions.assumeTrue(k.cudaDeviceCount() == 0, "a CUDA device answered");
        String why = k.lastError();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.get("cuda"));
        assertEquals("the cuda backend is not available: " + why, e.getMessage());
        assertFalse(Backends.available().stream().anyMatch(b -> b.name().equals("cuda")));
    }

    @Test
    void deviceMemoryRoundTripsAndElementwiseOpsWork() {
        Backend cuda = cudaOrSkip();
        assertEquals(Device.cuda(0).kind(), cuda.device().kind());
        float[] a = {1, -2, 3.5f, 0, 7};
        float[] b = {2, 2, -1, 5, 0.5f};
        try (Tensor da = BackendSource.put(cuda, a, 5);
                Tensor db = BackendSource.put(cuda, b, 5);
                Tensor z = cuda.zeros(DType.F32, 5)) {
            assertArrayEquals(a, BackendSource.floats(cuda, da));
            assertArrayEquals(new float[5], BackendSource.floats(cuda, z));
            cuda.axpy(z, 2f, da);
            cuda.mul(z, z, db);
            cuda.scale(z, 0.5f);
            float[] want = new float[5];
            for (int i = 0; i < 5; i++) {
                want[i] = 2f * a[i] * b[i] * 0.5f;
            }
            assertArrayEquals(want, BackendSource.floats(cuda, z));
            cuda.copy(z, da);
            assertArrayEquals(a, BackendSource.floats(cuda, z));
        }
    }

    @Test
    void gatherIsBitExactAndABadIndexIsReportedWithoutPoisoningTheContext() {
        Backend cuda = cudaOrSkip();
        Backend java = Backends.get("java");
        Random rnd = new Random(7);
        int v = 257;
        int d = 33;
        float[] w = new float[v * d];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        long[] idx = new long[1021];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = rnd.nextInt(v);
        }
        try (Tensor hw = Tensor.of(w, v, d);
                Tensor hidx = Tensor.of(idx);
                Tensor want = Tensor.allocate(DType.F32, idx.length, d);
                Tensor dw = cuda.fromHost(hw);
                Tensor didx = cuda.fromHost(hidx);
                Tensor out = cuda.zeros(DType.F32, idx.length, d)) {
            java.gather(want, hw, hidx);
            cuda.gather(out, dw, didx);
            assertArrayEquals(want.toFloatArray(), BackendSource.floats(cuda, out));

            idx[17] = v + 5L;
            try (Tensor bad = BackendSource.put(cuda, idx)) {
                IndexOutOfBoundsException e =
                        assertThrows(IndexOutOfBoundsException.class, () -> cuda.gather(out, dw, bad));
                assertTrue(
                        e.getMessage().contains("position 17") && e.getMessage().contains(String.valueOf(v + 5)),
                        e.getMessage());
                assertThrows(IndexOutOfBoundsException.class, () -> cuda.sortIndices(bad, v, -1));
            }
            cuda.gather(out, dw, didx);
            cuda.synchronize();
            assertArrayEquals(want.toFloatArray(), BackendSource.floats(cuda, out), "usable after the error");
        }
    }

    @Test
    void backwardIsBitIdenticalAcrossRuns() {
        Backend cuda = cudaOrSkip();
        Random rnd = new Random(11);
        int v = 1000;
        int d = 64;
        int n = 50_000;
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = (long) Math.floor(Math.pow(rnd.nextDouble(), 4) * v); // skewed: many duplicates
        }
        float[] dout = new float[n * d];
        for (int i = 0; i < dout.length; i++) {
            dout[i] = (float) rnd.nextGaussian();
        }
        float[][] runs = new float[2][];
        try (Tensor didx = BackendSource.put(cuda, idx);
                Tensor ddout = BackendSource.put(cuda, dout, n, d)) {
            for (int r = 0; r < 2; r++) {
                try (SortedIndices s = cuda.sortIndices(didx, v, -1);
                        Tensor dW = cuda.zeros(DType.F32, v, d)) {
                    cuda.embeddingBackward(dW, ddout, s, false);
                    runs[r] = BackendSource.floats(cuda, dW);
                }
            }
        }
        assertArrayEquals(runs[0], runs[1], "bit-identical");
    }
}
