package org.embed4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.embed4j.deploy.Pruning;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code embed4j prune <in> <out> --keep N}: keeps the N most frequent words (the first N rows: vectors files
 * are ordered most frequent first by convention), writes them in the format {@code <out>}'s extension names
 * (native .e4jv otherwise) and prints WS353 Spearman, analogy accuracy before/after and the sizes.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Keep the N most frequent words of a vectors file (files list the most frequent first); "
                + "prints the accuracy before/after and the size.")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "input vectors file")
    Path in;

    @Parameters(index = "1", description = "output vectors file (.e4jv, .bin, .vec, .txt, .safetensors; default native)")
    Path out;

    @Option(names = "--keep", required = true, description = "number of words to keep")
    int keep;

    @Mixin
    ShrinkCommands shared;

    @Override
    public Integer call() {
        return ShrinkCommands.run(spec.commandLine(), "prune", () -> {
            if (keep <= 0) {
                throw new IllegalArgumentException("--keep must be > 0, got " + keep);
            }
            PrintWriter o = spec.commandLine().getOut();
            WordVectors v = shared.load(in, out, "prune");
            o.printf("input %s: %d words, dim %d, %s%n", in, v.size(), v.dim(), ShrinkCommands.mb(ShrinkCommands.size(in)));
            if (keep >= v.size()) {
                o.printf("--keep %d >= %d words: every word is kept%n", keep, v.size());
            }
            WordVectors pruned = Pruning.keepMostFrequent(v, keep);
            VectorsFormat outFormat = VectorsIO.byExtension(out).orElse(VectorsFormat.NATIVE);
            VectorsIO.write(pruned, out, outFormat);
            WordVectors back = VectorsIO.read(out, outFormat);
            o.printf("pruned %s: %d words (the first %d rows, most frequent first), %s %s, size ratio %s%n", out,
                    back.size(), back.size(), outFormat, ShrinkCommands.mb(ShrinkCommands.size(out)),
                    ShrinkCommands.ratio(ShrinkCommands.size(out), ShrinkCommands.size(in)));
            o.print(shared.compare(v, back));
            o.println("note: kept rows are unchanged, so the scores move only because pairs/questions with a dropped"
                    + " word are skipped (see the covered counts)");
            o.flush();
            return 0;
        });
    }
}
