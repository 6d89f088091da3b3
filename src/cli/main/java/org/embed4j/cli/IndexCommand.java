package org.embed4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.search.Tsv;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code embed4j index}: builds a search index once, stored beside what it indexes.
 * <ul>
 *   <li>{@code --vectors v.e4jv}: an HNSW graph over the word rows, at {@code v.e4jv.hnsw};</li>
 *   <li>{@code --vectors v.e4jv --texts docs.tsv --output docs.e4ji}: a text index (sentence vectors of the TSV's
 *       id/text/label lines) and, unless {@code --exact}, its graph at {@code docs.e4ji.hnsw}.</li>
 * </ul>
 * Prints one summary line: rows, seconds and bytes of each file built.
 */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        description = "Build an HNSW index over word vectors, or a text index (with its HNSW graph) over a TSV file.")
final class IndexCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--vectors", required = true, description = "word vectors (.e4jv or any format convert reads)")
    Path vectors;

    @Option(names = "--texts", description = "TSV of id<TAB>text[<TAB>label] lines to index")
    Path texts;

    @Option(names = "--output", description = "the text index file (.e4ji); default: the TSV path with .e4ji")
    Path output;

    @Option(names = "--exact", description = "build no HNSW graph: searches stay exact (brute force)")
    boolean exact;

    @Option(names = "--m", defaultValue = "16", description = "HNSW neighbours per node (default ${DEFAULT-VALUE})")
    int maxConn;

    @Option(names = "--beam", defaultValue = "100", description = "HNSW build beam width (default ${DEFAULT-VALUE})")
    int beamWidth;

    @Option(
            names = "--bits",
            defaultValue = "32",
            description = "bits a coordinate has in the HNSW graph: 32 (float), or 8, 7, 4 (quantized, searches"
                    + " rescored with the float vectors) (default ${DEFAULT-VALUE})")
    int bits;

    @Option(
            names = "--build-threads",
            defaultValue = "1",
            description = "threads that build the HNSW graph (default ${DEFAULT-VALUE})")
    int buildThreads;

    @Option(
            names = "--sif",
            defaultValue = "1e-3",
            description = "SIF constant a; 0 = plain mean (default ${DEFAULT-VALUE})")
    double sifA;

    @Option(names = "--no-pc", description = "keep the first principal component of the sentence vectors")
    boolean noPc;

    @Override
    public Integer call() {
        return VectorsCommands.run(spec.commandLine().getErr(), "index", () -> {
            WordVectors v = VectorsCommands.load(vectors, null);
            HnswIndex.Options graph = new HnswIndex.Options(maxConn, beamWidth, bits, buildThreads);
            if (texts == null) {
                if (exact) {
                    throw new IllegalArgumentException("--exact without --texts builds nothing: exact search over "
                            + "word vectors needs no index");
                }
                Path dir = HnswIndex.besideModel(vectors);
                long t0 = System.nanoTime();
                long bytes = HnswIndex.build((r, out) -> v.vector(r, out, 0), v.size(), v.dim(), dir, graph);
                System.out.printf("index: %d rows, HNSW %s (%d bytes) in %.1f s%n", v.size(), dir, bytes, secs(t0));
                return 0;
            }
            Path out = output != null ? output : texts.resolveSibling(stem(texts) + ".e4ji");
            long t0 = System.nanoTime();
            List<TextIndex.Entry> entries = Tsv.read(texts);
            TextIndex index = TextIndex.build(v, entries, new TextIndex.Options(sifA, !noPc));
            index.write(out);
            StringBuilder line = new StringBuilder(String.format(
                    "index: %d texts, %s (%d bytes) in %.1f s",
                    entries.size(), out, java.nio.file.Files.size(out), secs(t0)));
            if (!exact) {
                Path dir = HnswIndex.besideModel(out);
                long t1 = System.nanoTime();
                long bytes = index.buildGraph(dir, graph);
                line.append(String.format("; HNSW %s (%d bytes) in %.1f s", dir, bytes, secs(t1)));
            }
            System.out.println(line);
            return 0;
        });
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
