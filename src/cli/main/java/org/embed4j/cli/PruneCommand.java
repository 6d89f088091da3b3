package org.embed4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.embed4j.cli.report.SubwordAgreement;
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
 * (native .e4jv otherwise) and prints WS353 Spearman, analogy accuracy before/after and the sizes. Subword rows
 * are kept unless {@code --no-keep-subwords} (they are shared buckets; see {@link Pruning}).
 */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description = "Keep the N most frequent words of a vectors file (files list the most frequent first); "
                + "prints the accuracy before/after and the size.")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "input vectors file")
    Path in;

    @Parameters(
            index = "1",
            description = "output vectors file (.e4jv, .bin, .vec, .txt, .safetensors; default native)")
    Path out;

    @Option(names = "--keep", required = true, description = "number of words to keep")
    int keep;

    @Option(
            names = "--keep-subwords",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "keep all subword (n-gram bucket) rows, so dropped and unseen words still get vectors "
                    + "(default; --no-keep-subwords drops them)")
    boolean keepSubwords;

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
            o.printf(
                    "input %s: %d words, dim %d, %s%n",
                    in, v.size(), v.dim(), ShrinkCommands.mb(ShrinkCommands.size(in)));
            if (keep >= v.size()) {
                o.printf("--keep %d >= %d words: every word is kept%n", keep, v.size());
            }
            WordVectors pruned = Pruning.keepMostFrequent(v, keep, keepSubwords);
            VectorsFormat outFormat = VectorsIO.byExtension(out).orElse(VectorsFormat.NATIVE);
            printSubwords(o, v, pruned, outFormat);
            VectorsIO.write(pruned, out, outFormat);
            WordVectors back = VectorsIO.read(out, outFormat);
            o.printf(
                    "pruned %s: %d words (the first %d rows, most frequent first), %s %s, size ratio %s%n",
                    out,
                    back.size(),
                    back.size(),
                    outFormat,
                    ShrinkCommands.mb(ShrinkCommands.size(out)),
                    ShrinkCommands.ratio(ShrinkCommands.size(out), ShrinkCommands.size(in)));
            o.print(shared.compare(v, back));
            o.println("note: kept rows are unchanged, so the scores move only because pairs/questions with a dropped"
                    + " word are skipped (see the covered counts)");
            o.flush();
            return 0;
        });
    }

    /** What happens to the subword rows of {@code v}: kept (and how the dropped words fare), dropped, or not saved. */
    private static void printSubwords(PrintWriter o, WordVectors v, WordVectors pruned, VectorsFormat outFormat) {
        if (!v.hasSubwords()) {
            return;
        }
        if (!pruned.hasSubwords()) {
            o.println("subwords: dropped (--no-keep-subwords); out-of-vocabulary words get no vector");
            return;
        }
        if (outFormat != VectorsFormat.NATIVE && outFormat != VectorsFormat.SAFETENSORS) {
            o.printf(
                    "note: %s cannot hold subword rows, so they are not saved; write .e4jv or .safetensors to keep"
                            + " them%n",
                    outFormat);
            return;
        }
        o.printf(
                "subwords: all %d bucket rows kept (shared by every word's n-grams); dropped words get subword"
                        + " vectors%n",
                v.subwords().bucket());
        o.printf(
                "dropped words, own vector vs subword vector: cosine %s%n",
                SubwordAgreement.ofPruned(v, pruned, 1000).describe());
    }
}
