package org.embed4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a task closure carries of a model: its path and, when the driver could read the file, the driver's checksum
 * of it. Never the model itself: each executor resolves the path ({@link ModelFiles}) and opens the file once
 * ({@link ModelCache}); a file whose checksum differs from the driver's is refused. Immutable.
 */
record ModelRef(String path, String checksum) implements Serializable {
    private static final System.Logger LOG = System.getLogger(ModelRef.class.getName());

    ModelRef {
        Objects.requireNonNull(path, "path");
    }

    /** The reference the driver ships for {@code path}: with its checksum when the driver can read the file. */
    static ModelRef onDriver(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("modelPath is not set: set it to the model file (local, shared or "
                    + "shipped with spark-submit --files)");
        }
        try {
            Path local = ModelFiles.local(path);
            return new ModelRef(path, ModelFiles.checksum(local));
        } catch (IOException e) {
            LOG.log(
                    Level.DEBUG,
                    () -> "the driver cannot read model " + path + " (" + e + "); executors open it unchecked");
            return new ModelRef(path, null);
        }
    }
}
