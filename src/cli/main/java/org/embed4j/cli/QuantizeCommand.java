package org.embed4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.embed4j.cli.report.SubwordAgreement;
import org.embed4j.deploy.Precision;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code embed4j quantize <in> <out> [--int8|--fp16]} (a classifier: {@code --model m.e4jc --output q.e4jc}, see
 * {@link QuantizeClassifier}): writes the vectors of {@code <in>} as a quantized
 * vectors file (.e4jq: int8 with a float scale per row, or fp16), reads it back and prints WS353 Spearman and
 * analogy accuracy (restricted to 30k words) of the float and the quantized model, and the size ratio. Subword
 * (n-gram bucket) rows are quantized too, and the OOV vectors they build are compared with the float model's.
 */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        description = "Quantize word vectors (or, with --model, a text classifier) to int8 (per-row scale) or fp16;"
                + " prints the accuracy before/after and the size ratio.")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "input vectors file")
    Path in;

    @Parameters(index = "1", arity = "0..1", description = "output quantized vectors file (.e4jq)")
    Path out;

    @Option(names = "--int8", description = "int8, one float scale per row (default; ~4x smaller)")
    boolean int8;

    @Option(names = "--fp16", description = "fp16 (~2x smaller)")
    boolean fp16;

    @Mixin
    ShrinkCommands shared;

    @Mixin
    QuantizeClassifier classifier; // --model clf.e4jc --output ...: the classifier path

    @Override
    public Integer call() {
        return ShrinkCommands.run(spec.commandLine(), "quantize", () -> {
            if (int8 && fp16) {
                throw new IllegalArgumentException("give one of --int8 and --fp16, not both");
            }
            Precision precision = fp16 ? Precision.FP16 : Precision.INT8;
            PrintWriter o = spec.commandLine().getOut();
            if (classifier.requested()) {
                if (in != null) {
                    throw new IllegalArgumentException(
                            "give either <in> <out> (word vectors) or --model/--output, not both");
                }
                return classifier.run(o, precision);
            }
            if (in == null || out == null) {
                throw new IllegalArgumentException(
                        "give <in> <out> (word vectors) or --model <clf.e4jc> --output <file>");
            }
            WordVectors v = shared.load(in, out, "quantize");
            long floatRows = (long) v.size() + (v.hasSubwords() ? v.subwords().bucket() : 0);
            long floatBytes = floatRows * v.dim() * Float.BYTES;
            o.printf(
                    "input %s: %d words, dim %d, %s on disk, float32 vectors %s%n",
                    in, v.size(), v.dim(), ShrinkCommands.mb(ShrinkCommands.size(in)), ShrinkCommands.mb(floatBytes));
            QuantizedVectors.quantize(v, precision).save(out);
            QuantizedVectors q = QuantizedVectors.load(out);
            o.printf(
                    "quantized %s (%s): %s on disk, size ratio %s vs the input file%n",
                    out,
                    precision,
                    ShrinkCommands.mb(ShrinkCommands.size(out)),
                    ShrinkCommands.ratio(ShrinkCommands.size(out), ShrinkCommands.size(in)));
            o.printf(
                    "vector storage: float32 %s -> %s %s, size ratio %s%n",
                    ShrinkCommands.mb(floatBytes),
                    precision,
                    ShrinkCommands.mb(q.vectorBytes()),
                    ShrinkCommands.ratio(q.vectorBytes(), floatBytes));
            o.print(shared.compare(v, q.toWordVectors(false)));
            printSubwords(o, v, q);
            o.flush();
            return 0;
        });
    }

    /** Subword models: the bucket rows are quantized too; how close the OOV vectors stay (the benchmarks skip OOV). */
    private static void printSubwords(PrintWriter o, WordVectors v, QuantizedVectors q) {
        if (!v.hasSubwords()) {
            return;
        }
        o.printf(
                "subwords: %d bucket rows quantized with the words (%s); out-of-vocabulary words keep their vectors%n",
                v.subwords().bucket(), v.subwords());
        o.printf(
                "oov vectors, float vs %s (made-up words: a vocabulary word + \"s\"): cosine %s%n",
                q.precision(), SubwordAgreement.ofQuantized(v, q, 1000).describe());
    }
}
