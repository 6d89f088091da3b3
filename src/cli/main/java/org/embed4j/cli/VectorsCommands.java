package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * What the subcommands share: loading a word-vector model by detected or named format, and turning the
 * user's mistakes (missing file, unknown word, corrupt file) into one clear line on stderr and exit code 1
 * instead of a stack trace. Stateless.
 */
final class VectorsCommands {
    private VectorsCommands() {}

    /** Reads {@code model} in {@code format}, or in the format {@link VectorsIO#detect} finds when null. */
    static WordVectors load(Path model, String format) throws IOException {
        return format == null ? VectorsIO.read(model) : VectorsIO.read(model, VectorsFormat.parse(format));
    }

    /** Runs {@code body}; expected failures print "embed4j &lt;command&gt;: message" and give exit code 1. */
    static int run(String command, Callable<Integer> body) {
        return run(new java.io.PrintWriter(System.err, true, System.err.charset()), command, body);
    }

    /** {@link #run(String, Callable)} printing failures to {@code err} (picocli's, so that tests capture it). */
    static int run(java.io.PrintWriter err, String command, Callable<Integer> body) {
        try {
            return body.call();
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("embed4j " + command + ": no such file: " + e.getFile());
        } catch (IOException | IllegalArgumentException | NoSuchElementException e) {
            err.println("embed4j " + command + ": " + e.getMessage());
        } catch (Exception e) {
            err.println("embed4j " + command + ": " + e);
        }
        err.flush();
        return 1;
    }
}
