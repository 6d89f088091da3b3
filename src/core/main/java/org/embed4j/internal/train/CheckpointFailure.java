package org.embed4j.internal.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one-line message of a checkpoint that could not be saved (a full disk, a file-size limit, a read-only folder). */
public final class CheckpointFailure {
    private CheckpointFailure() {}

    /**
     * {@code cause} (the write of {@code file} failed; the atomic write left the file as it was) as an IOException that
     * says what is left and what to do.
     */
    public static IOException of(Path file, IOException cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String left = Files.isRegularFile(file)
                ? file + " still holds the previous checkpoint; free space and rerun with --resume to continue from it"
                : "no checkpoint was saved yet; free space and rerun";
        return new IOException(
                "cannot save checkpoint " + file + " (" + reason + "): training stopped; " + left, cause);
    }
}
