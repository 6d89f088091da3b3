package org.embed4j.backend;

import java.util.Objects;

/**
 * A CUDA call inside a native kernel failed (C status E4J_ERR_CUDA). {@link #errorName()} is the CUDA
 * runtime's name for the error ("cudaErrorMemoryAllocation", "CUBLAS_STATUS_EXECUTION_FAILED", ...), so that
 * callers can tell an out-of-memory from a launch failure without parsing the message.
 * Immutable and thread-safe.
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorName;

    /** @param errorName the CUDA error name, or "unknown" when the native message did not carry one */
    public CudaException(String errorName, String message) {
        super(message);
        this.errorName = Objects.requireNonNull(errorName, "errorName");
    }

    public CudaException(String errorName, String message, Throwable cause) {
        super(message, cause);
        this.errorName = Objects.requireNonNull(errorName, "errorName");
    }

    /** The CUDA error name, e.g. "cudaErrorMemoryAllocation"; "unknown" when none was reported. */
    public String errorName() {
        return errorName;
    }
}
