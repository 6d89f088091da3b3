package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** e4j_status -> Java exception, as native/include/embed4j.h documents it, and the thread-local message. */
class NativeStatusTest {
    /** The exception the layer above supplies for E4J_ERR_CUDA (the backend's CudaException). */
    private static final class CudaError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String errorName;

        CudaError(String errorName, String message) {
            super(message);
            this.errorName = errorName;
        }
    }

    private static RuntimeException map(int status, String function, String message) {
        return NativeStatus.toException(status, function, message, CudaError::new);
    }

    @Test
    void mapsEveryStatus() {
        assertNull(map(0, "f", ""));
        assertInstanceOf(IllegalArgumentException.class, map(1, "f", "bad"));
        assertInstanceOf(IndexOutOfBoundsException.class, map(2, "f", "bad"));
        assertInstanceOf(UnsupportedOperationException.class, map(3, "f", "bad"));
        assertInstanceOf(CudaError.class, map(4, "f", "bad"));
        RuntimeException plain =
                NativeStatus.toException(4, "f", "cudaErrorLaunchFailure", NativeStatus.CudaErrors.PLAIN);
        assertInstanceOf(IllegalStateException.class, plain);
        assertTrue(plain.getMessage().contains("cudaErrorLaunchFailure"), plain.getMessage());
        RuntimeException ws = map(5, "f", "need 64 bytes");
        assertInstanceOf(IllegalStateException.class, ws);
        assertTrue(ws.getMessage().contains("workspace") && ws.getMessage().contains("need 64 bytes"), ws.getMessage());
        RuntimeException unknown = map(42, "e4j_x", "odd");
        assertInstanceOf(IllegalStateException.class, unknown);
        assertTrue(unknown.getMessage().contains("42") && unknown.getMessage().contains("e4j_x"), unknown.getMessage());
    }

    @Test
    void messagesNameTheFunction() {
        RuntimeException e = map(2, "e4j_gather_forward", "index 9 at position 3 out of range");
        assertEquals("index 9 at position 3 out of range [e4j_gather_forward]", e.getMessage());
        assertTrue(map(1, "e4j_y", "").getMessage().contains("without a message"));
    }

    @Test
    void cudaErrorsCarryTheCudaName() {
        CudaError e = (CudaError)
                map(4, "e4j_gather_forward_cuda", "cudaErrorMemoryAllocation: out of memory allocating 4096 bytes");
        assertEquals("cudaErrorMemoryAllocation", e.errorName);
        assertEquals(
                "CUBLAS_STATUS_EXECUTION_FAILED",
                NativeStatus.cudaErrorName("cublasSgemm failed: CUBLAS_STATUS_EXECUTION_FAILED"));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", NativeStatus.cudaErrorName("driver said CUDA_ERROR_LAUNCH_FAILED"));
        assertEquals("unknown", NativeStatus.cudaErrorName("no name here"));
        assertEquals("unknown", NativeStatus.cudaErrorName(null));
    }

    @Test
    void aFailedNativeCallIsMappedWithItsThreadLocalMessage() throws Exception {
        CpuKernels k = CpuKernels.load();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.setNumThreads(0));
        assertTrue(
                e.getMessage().contains("got 0") && e.getMessage().contains("[e4j_set_num_threads]"), e.getMessage());
        NativeLibrary lib = k.library();
        // The message is thread-local: another thread sees none.
        String[] other = new String[1];
        Thread t = new Thread(() -> other[0] = lib.lastError());
        t.start();
        t.join();
        assertEquals("", other[0]);
    }
}
