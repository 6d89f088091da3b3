package org.embed4j.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the output names given on a command line, made before a command creates any file: an output prefix
 * ({@code --output out/vectors} for {@code out/vectors.bin}, {@code .e4jv}, ...) must name files, not a folder, or
 * the outputs would be hidden files such as {@code out/.bin}. Stateless.
 */
final class OutputPaths {
    private OutputPaths() {}

    /** {@code prefix} when it can start file names; an {@link IllegalArgumentException} naming {@code option} if not. */
    static String prefix(String option, String prefix) {
        Path p = Path.of(prefix);
        Path name = p.getFileName();
        if (prefix.isBlank()
                || prefix.endsWith("/")
                || prefix.endsWith(File.separator)
                || name == null
                || name.toString().equals(".")
                || name.toString().equals("..")
                || Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + " " + prefix + " is a folder; give a file name prefix inside it"
                    + " (for example " + p.resolve("vectors") + ")");
        }
        return prefix;
    }

    /** A single output file: {@code path} must not be an existing folder. */
    static Path file(String option, Path path) {
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(
                    option + " " + path + " is a folder; give a file name (for example " + path.resolve("model") + ")");
        }
        return path;
    }
}
