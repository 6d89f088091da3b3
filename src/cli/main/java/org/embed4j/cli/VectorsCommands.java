package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * What the subcommands share: loading a word-vector model by detected or named format, and turning every failure
 * (missing file, unknown word, corrupt file, running out of memory) into one clear line on stderr
 * ({@link ErrorMessages}) and exit code 1 instead of a stack trace. Stateless.
 */
final class VectorsCommands {
    private static final System.Logger LOG = System.getLogger(VectorsCommands.class.getName());

    private VectorsCommands() {}

    /** Reads {@code model} in {@code format}, or in the format {@link VectorsIO#detect} finds when null. */
    static WordVectors load(Path model, String format) throws IOException {
        return format == null ? VectorsIO.read(model) : VectorsIO.read(model, VectorsFormat.parse(format));
    }

    /** Runs {@code body}; failures print "embed4j &lt;command&gt;: message" and give exit code 1. */
    static int run(String command, Callable<Integer> body) {
        return run(new java.io.PrintWriter(System.err, true, System.err.charset()), command, body, null);
    }

    /**
     * {@link #run(String, Callable)} for a command that allocates by its options: when memory runs out, {@code memory}
     * says what the options need and which of them lowers it.
     */
    static int run(String command, Callable<Integer> body, Supplier<String> memory) {
        return run(new java.io.PrintWriter(System.err, true, System.err.charset()), command, body, memory);
    }

    /** {@link #run(String, Callable)} printing failures to {@code err} (picocli's, so that tests capture it). */
    static int run(java.io.PrintWriter err, String command, Callable<Integer> body) {
        return run(err, command, body, null);
    }

    static int run(java.io.PrintWriter err, String command, Callable<Integer> body, Supplier<String> memory) {
        try {
            return body.call();
        } catch (OutOfMemoryError e) {
            err.println("embed4j " + command + ": out of memory"
                    + (memory == null ? "" : ": " + memory.get())
                    + "; more memory for Java: EMBED4J_JAVA_OPTS=-Xmx<size> (it bounds the native matrices too)");
        } catch (Exception | StackOverflowError | InternalError e) {
            LOG.log(System.Logger.Level.DEBUG, command + " failed", e);
            err.println("embed4j " + command + ": " + ErrorMessages.of(e));
        }
        err.flush();
        return 1;
    }
}
