package org.embed4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The corpus options of the commands that read running text a sentence or paragraph a line ({@code train-vectors},
 * {@code phrases}): the file and how it is tokenized. Declared once here, shared as a picocli mixin.
 */
final class CorpusArgs {
    @Option(
            names = {"--input", "-train"},
            required = true,
            description = "corpus: plain UTF-8 or .gz, one sentence/paragraph a line")
    Path input;

    @Option(names = "--lowercase", description = "lower-case words while tokenizing")
    boolean lowercase;
}
