package org.embed4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * What {@code prune} and {@code quantize} share: output through picocli's writers (so tests capture it with
 * {@link CommandLine#setOut}), expected failures as one "embed4j &lt;command&gt;: message" line and exit code
 * 1, and sizes in MB. Stateless.
 */
final class ShrinkCommands {
    private ShrinkCommands() {
    }

    static int run(CommandLine cli, String command, Callable<Integer> body) {
        PrintWriter err = cli.getErr();
        try {
            return body.call();
        } catch (NoSuchFileException e) {
            err.println("embed4j " + command + ": no such file: " + e.getFile());
        } catch (IOException | IllegalArgumentException | NoSuchElementException e) {
            err.println("embed4j " + command + ": " + e.getMessage());
        } catch (Exception e) {
            err.println("embed4j " + command + ": " + e);
        }
        err.flush();
        return 1;
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    static long size(Path p) throws IOException {
        return Files.size(p);
    }

    static String ratio(long after, long before) {
        double r = before == 0 ? Double.NaN : (double) after / before;
        return String.format(Locale.ROOT, "%.3f (%.2fx smaller)", r, 1 / r);
    }
}
