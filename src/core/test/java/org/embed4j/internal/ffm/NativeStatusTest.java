package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import org.embed4j.backend.CudaException;
import org.junit.jupiter.api.Test;

/** e4j_status -> Java exception, as native/include/embed4j.h documents it, and the thread-local message. */
class NativeStatusTest {

    @Test
    void mapsEveryStatus() {
        assertNull(NativeStatus.toException(0, "f", ""));
        assertInstanceOf(IllegalArgumentException.class, NativeStatus.toException(1, "f", "bad"));
        assertInstanceOf(IndexOutOfBoundsException.class, NativeStatus.toException(2, "f", "bad"));
        assertInstanceOf(UnsupportedOperationException.class, NativeStatus.toException(3, "f", "bad"));
        assertInstanceOf(CudaException.class, NativeStatus.toException(4, "f", "bad"));
        RuntimeException ws = NativeStatus.toException(5, "f", "need 64 bytes");
        assertInstanceOf(IllegalStateException.class, ws);
        assertTrue(ws.getMessage().contains("workspace") && ws.getMessage().contains("need 64 bytes"), ws.getMessage());
        RuntimeException unknown = NativeStatus.toException(42, "e4j_x", "odd");
        assertInstanceOf(IllegalStateException.class, unknown);
        assertTrue(unknown.getMessage().contains("42") && unknown.getMessage().contains("e4j_x"), unknown.getMessage());
    }

    @Test
    void messagesNameTheFunction() {
        RuntimeException e = NativeStatus.toException(2, "e4j_gather_forward", "index 9 at position 3 out of range");
        assertEquals("index 9 at position 3 out of range [e4j_gather_forward]", e.getMessage());
        assertTrue(NativeStatus.toException(1, "e4j_y", "").getMessage().contains("without a message"));
    }

    @Test
    void cudaErrorsCarryTheCudaName() {
        CudaException e = (CudaException) NativeStatus.toException(
                4, "e4j_gather_forward_cuda", "cudaErrorMemoryAllocation: out of memory allocating 4096 bytes");
        assertEquals("cudaErrorMemoryAllocation", e.errorName());
        assertEquals(
                "CUBLAS_STATUS_EXECUTION_FAILED",
                NativeStatus.cudaErrorName("cublasSgemm failed: CUBLAS_STATUS_EXECUTION_FAILED"));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", NativeStatus.cudaErrorName("driver said CUDA_ERROR_LAUNCH_FAILED"));
        assertEquals("unknown", NativeStatus.cudaErrorName("no name here"));
        assertEquals("unknown", NativeStatus.cudaErrorName(null));
    }

    @Test
    void aFailedNativeCallIsMappedWithItsThreadLocalMessage() throws Exception {
        NativeLibrary lib = NativeLibrary.load("embed4j");
        Downcall setThreads =
                lib.downcall("e4j_set_num_threads", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        int status;
        try {
            status = (int) setThreads.handle().invokeExact(0);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        int s = status;
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> lib.check(s, "e4j_set_num_threads"));
        assertTrue(
                e.getMessage().contains("got 0") && e.getMessage().contains("[e4j_set_num_threads]"), e.getMessage());
        // The message is thread-local: another thread sees none.
        String[] other = new String[1];
        Thread t = new Thread(() -> other[0] = lib.lastError());
        t.start();
        t.join();
        assertEquals("", other[0]);
    }
}
