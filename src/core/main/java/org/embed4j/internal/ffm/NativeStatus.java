package org.embed4j.internal.ffm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps an {@code e4j_status} returned by a native function, plus the thread-local message of
 * {@code e4j_last_error()} read in the same thread right after the call, to the Java exception the C ABI
 * documents (native/include/embed4j.h):
 * 1 INVALID_ARGUMENT -> IllegalArgumentException, 2 INDEX -> IndexOutOfBoundsException,
 * 3 UNSUPPORTED -> UnsupportedOperationException, 4 CUDA -> the exception of a {@link CudaErrors} (the backend's
 * public CudaException; this layer does not know the layers above it), with the CUDA error name,
 * 5 WORKSPACE -> IllegalStateException; any other non-zero code -> IllegalStateException naming it.
 * Stateless; thread-safe.
 */
public final class NativeStatus {
    /** Makes the exception for E4J_ERR_CUDA from the CUDA error name and the message. */
    @FunctionalInterface
    public interface CudaErrors {
        /** An IllegalStateException that names the CUDA error: for libraries whose callers supply nothing better. */
        CudaErrors PLAIN =
                (errorName, message) -> new IllegalStateException("CUDA error " + errorName + ": " + message);

        RuntimeException create(String errorName, String message);
    }

    public static final int OK = 0;
    public static final int ERR_INVALID_ARGUMENT = 1;
    public static final int ERR_INDEX = 2;
    public static final int ERR_UNSUPPORTED = 3;
    public static final int ERR_CUDA = 4;
    public static final int ERR_WORKSPACE = 5;

    // CUDA runtime (cudaErrorX), driver (CUDA_ERROR_X) and cuBLAS (CUBLAS_STATUS_X) error names.
    private static final Pattern CUDA_NAME =
            Pattern.compile("\\b(cuda[A-Z][A-Za-z0-9]*|CUDA_ERROR_[A-Z0-9_]+|CUBLAS_STATUS_[A-Z0-9_]+)\\b");

    private NativeStatus() {}

    /**
     * The exception for {@code status}, or null when it is OK.
     *
     * @param function the native function that returned it, appended to the message so a user can tell which
     *                 kernel failed
     * @param message  e4j_last_error() as read right after the call (may be empty)
     * @param cudaErrors makes the exception for E4J_ERR_CUDA
     */
    public static RuntimeException toException(int status, String function, String message, CudaErrors cudaErrors) {
        if (status == OK) {
            return null;
        }
        String text = (message == null || message.isEmpty() ? "native call failed without a message" : message) + " ["
                + function + "]";
        return switch (status) {
            case ERR_INVALID_ARGUMENT -> new IllegalArgumentException(text);
            case ERR_INDEX -> new IndexOutOfBoundsException(text);
            case ERR_UNSUPPORTED -> new UnsupportedOperationException(text);
            case ERR_CUDA -> cudaErrors.create(cudaErrorName(message), text);
            case ERR_WORKSPACE -> new IllegalStateException("workspace too small: " + text);
            default -> new IllegalStateException("unknown status " + status + " from " + function + ": " + text);
        };
    }

    /** The first CUDA error name in a native message, or "unknown". */
    static String cudaErrorName(String message) {
        if (message != null) {
            Matcher m = CUDA_NAME.matcher(message);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "unknown";
    }
}
