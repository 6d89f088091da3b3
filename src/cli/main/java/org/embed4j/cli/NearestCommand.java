package org.embed4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embed4j nearest <model> <word> [-k 10]}: the k nearest words by cosine, one "word<TAB>score" a line. */
@Command(
        name = "nearest",
        mixinStandardHelpOptions = true,
        description = "Print the k words closest to a word (cosine similarity).")
final class NearestCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "vectors file (.bin, .txt, .vec, .glove.txt, .safetensors, .e4jv)")
    Path model;

    @Parameters(index = "1", description = "the query word")
    String word;

    @Option(names = "-k", defaultValue = "10", description = "number of neighbours (default ${DEFAULT-VALUE})")
    int k;

    @Option(
            names = "--format",
            description = "file format when detection is not wanted: bin, txt, vec, glove, safetensors, e4jv")
    String format;

    @Override
    public Integer call() {
        return VectorsCommands.run("nearest", () -> {
            WordVectors v = VectorsCommands.load(model, format);
            for (Neighbor n : v.nearest(word, k)) {
                System.out.printf("%s\t%.4f%n", Terminal.escape(n.word()), n.score());
            }
            return 0;
        });
    }
}
