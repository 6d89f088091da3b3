package org.embed4j.bench.gpu;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasGetVersion_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * The GEMM anchor: cuBLAS cublasSgemm (FP32, CUBLAS_DEFAULT_MATH: no TF32 tensor cores, as torch.mm with TF32 off)
 * on the device's stream, through bytedeco's presets (libjnicublas over libcublas.so.13). Row-major operands: cuBLAS is
 * column-major, so C = A B is computed as Cᵀ = Bᵀ Aᵀ, which reads and writes the same bytes.
 *
 * <p>The constructor throws IllegalStateException saying why when libcublas.so.13 does not load. Not thread-safe.
 */
final class CublasGemm implements AutoCloseable {
    private final cublasContext handle = new cublasContext();
    /** alpha and beta, host scalars (CUBLAS_POINTER_MODE_HOST, the default). */
    private final FloatPointer one = new FloatPointer(1f);

    private final FloatPointer zero = new FloatPointer(0f);

    CublasGemm(GpuDevice device) {
        try {
            Loader.load(cublas.class);
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException(
                    "cuBLAS of org.bytedeco:cuda did not load: "
                            + GpuDevice.unloadable("libcublas.so.13", "libcublasLt.so.13") + " (JavaCPP: " + e
                            + "); put CUDA 13's libcublas.so.13 and libcublasLt.so.13 on LD_LIBRARY_PATH (PyTorch's"
                            + " nvidia-cublas wheel has them)",
                    e);
        }
        check(cublasCreate_v2(handle), "cublasCreate");
        check(cublasSetStream_v2(handle, device.stream()), "cublasSetStream");
        check(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    /** cuBLAS's version number (e.g. 130100). */
    int version() {
        int[] v = {0};
        check(cublasGetVersion_v2(handle, v), "cublasGetVersion");
        return v[0];
    }

    /** Row-major C(M,N) = A(M,K) B(K,N), dense leading dimensions. */
    void sgemm(int m, int n, int k, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c) {
        check(
                cublasSgemm_v2(
                        handle,
                        CUBLAS_OP_N,
                        CUBLAS_OP_N,
                        n,
                        m,
                        k,
                        one,
                        b.floats(),
                        n,
                        a.floats(),
                        k,
                        zero,
                        c.floats(),
                        n),
                "cublasSgemm");
    }

    @Override
    public void close() {
        cublasDestroy_v2(handle);
        one.close();
        zero.close();
    }

    private static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new IllegalStateException(
                    call + " failed: " + cublasGetStatusString(status).getString() + " (" + status + ")");
        }
    }
}
