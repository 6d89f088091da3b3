package org.embed4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code embed4j convert <in> <out> [--from fmt] [--to fmt]}: rewrites vectors in another format, the formats
 * taken from the options or else from the file (input) and the extension (output): .bin word2vec binary,
 * .txt word2vec text, .vec fastText, .glove.txt GloVe, .safetensors, .e4jv native.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description =
                "Convert vectors between word2vec text/binary, fastText .vec, GloVe, safetensors and native .e4jv.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "input vectors file")
    Path in;

    @Parameters(index = "1", description = "output vectors file")
    Path out;

    @Option(names = "--from", description = "input format (default: detected)")
    String from;

    @Option(names = "--to", description = "output format (default: from the output's extension)")
    String to;

    @Override
    public Integer call() {
        return VectorsCommands.run("convert", () -> {
            VectorsFormat target = to != null
                    ? VectorsFormat.parse(to)
                    : VectorsIO.byExtension(out)
                            .orElseThrow(
                                    () -> new IllegalArgumentException(
                                            "cannot tell the output format from '" + out.getFileName()
                                                    + "': use an extension .bin .txt .vec .glove.txt .safetensors .e4jv, or --to"));
            long start = System.nanoTime();
            WordVectors v = VectorsCommands.load(in, from);
            VectorsIO.write(v, out, target);
            System.out.printf(
                    "wrote %d words, dim %d, to %s (%s) in %.1f s%n",
                    v.size(), v.dim(), out, target, (System.nanoTime() - start) / 1e9);
            return 0;
        });
    }
}
