package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * What the word-vector subcommands share: loading a model by detected or named format, and turning the
 * user's mistakes (missing file, unknown word, corrupt file) into one clear line on stderr and exit code 1
 * instead of a stack trace. Stateless.
 */
final class VectorsCommands {
    private VectorsCommands() {
    }

    /** Reads {@code model} in {@code format}, or in the format {@link VectorsIO#detect} finds when null. */
    static WordVectors load(Path model, String format) throws IOException {
        return format == null ? VectorsIO.read(model) : VectorsIO.read(model, VectorsFormat.parse(format));
    }

    /** Runs {@code body}; expected failures print "embed4j &lt;command&gt;: message" and give exit code 1. */
    static int run(String command, Callable<Integer> body) {
        try {
            return body.call();
        } catch (java.nio.file.NoSuchFileException e) {
            System.err.println("embed4j " + command + ": no such file: " + e.getFile());
        } catch (IOException | IllegalArgumentException | NoSuchElementException e) {
            System.err.println("embed4j " + command + ": " + e.getMessage());
        } catch (Exception e) {
            System.err.println("embed4j " + command + ": " + e);
        }
        return 1;
    }
}
