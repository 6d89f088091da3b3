package org.embed4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.cli.data.EvalFiles;
import org.embed4j.cli.report.ModelScores;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What {@code prune} and {@code quantize} share, as a picocli mixin: the input-format and benchmark options,
 * loading the input (a classifier file is refused by name), the before/after accuracy lines
 * ({@link ModelScores#compare}), failures as one "embed4j &lt;command&gt;: message" line on picocli's error
 * writer with exit code 1 (so tests capture it), and sizes in MB. One instance per command line.
 */
final class ShrinkCommands {
    private static final byte[] CLASSIFIER_MAGIC = {'E', '4', 'J', 'C'};

    @Option(names = "--format", description = "input format when detection is not wanted")
    String format;

    @Option(
            names = "--similarity",
            description = "word-pair file (default: wordsim353.tsv in data/eval or shared data)")
    Path similarity;

    @Option(names = "--analogy", description = "questions-words.txt (default: data/eval or shared data)")
    Path analogy;

    @Option(
            names = "--restrict",
            defaultValue = "30000",
            description = "analogies use the N most frequent words (default ${DEFAULT-VALUE})")
    int restrict;

    /** Runs {@code body}, printing an expected failure to {@code cli}'s error writer; see {@link VectorsCommands#run}. */
    static int run(CommandLine cli, String command, Callable<Integer> body) {
        return VectorsCommands.run(cli.getErr(), command, body);
    }

    /**
     * The word vectors in {@code in}, to be shrunk into {@code out}. Refused: a text classifier file (only word
     * vectors can be shrunk) and {@code out} naming the input itself (the full-precision original would be lost).
     */
    WordVectors load(Path in, Path out, String command) throws IOException {
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException("the output " + out + " is the input file: " + command
                    + " would replace the original; give another output path");
        }
        if (isClassifier(in)) {
            throw new IllegalArgumentException(in + " is a text classifier (.e4jc), not word vectors: " + command
                    + " takes word vectors only (quantize a classifier with --model <in.e4jc> --output <out.e4jc>)");
        }
        return VectorsCommands.load(in, format);
    }

    /** The WS353 and analogy lines of {@code before} against {@code after} (a benchmark not found is skipped). */
    String compare(WordVectors before, WordVectors after) throws IOException {
        EvalFiles files = EvalFiles.locate(similarity, analogy);
        return ModelScores.compare(ModelScores.of(before, files, restrict), ModelScores.of(after, files, restrict));
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

    private static boolean isClassifier(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return false; // loading reports the missing file
        }
        try (InputStream s = Files.newInputStream(p)) {
            return java.util.Arrays.equals(s.readNBytes(CLASSIFIER_MAGIC.length), CLASSIFIER_MAGIC);
        }
    }
}
