package org.embed4j.spark;

/**
 * A model file that an executor (or the driver) cannot open: missing, unreadable, corrupt, or different from the
 * driver's copy. The message names the file, the executor and the reason, so that the failed Spark job says what to
 * fix instead of failing deep inside a task.
 */
public final class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelLoadException(String message) {
        super(message);
    }
}
