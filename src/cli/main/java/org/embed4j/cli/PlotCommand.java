package org.embed4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.backend.Backend;
import org.embed4j.cli.plot.Pca;
import org.embed4j.cli.plot.Tsne;
import org.embed4j.cli.plot.WordMap;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j plot --model <vectors> (--words a,b,c | --top N | --near w1,w2) --output map.png}: a labelled 2-D
 * map of word vectors, where words used alike sit together. Vectors are scaled to unit length first (the cosine
 * geometry that {@code nearest} uses), then projected by PCA (GEMM on the native backend; its axes keep their
 * meaning and show the share of variance they hold) or exact t-SNE (up to {@value Tsne#MAX_POINTS} words); by
 * default PCA for a few groups of words and t-SNE for many.
 */
@Command(
        name = "plot",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Draw a labelled 2-D map (t-SNE or PCA) of word vectors as a PNG.")
final class PlotCommand implements Callable<Integer> {
    /**
     * --method auto draws PCA up to this many words: a few groups spread evenly over its two axes, where t-SNE
     * shrinks each group to a tight knot far from the others; past it, t-SNE, as two axes cannot separate many.
     */
    static final int AUTO_PCA_MAX = 100;

    @Option(
            names = "--model",
            required = true,
            description = "vectors file (.bin, .txt, .vec, .glove.txt, .safetensors, .e4jv)")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    /** Exactly one way to choose the words. */
    static final class Which {
        @Option(names = "--words", split = ",", description = "these words (comma-separated)")
        List<String> words;

        @Option(names = "--top", description = "the N most frequent words")
        Integer top;

        @Option(names = "--near", split = ",", description = "each of these words and its -k nearest neighbours")
        List<String> near;
    }

    @Option(names = "-k", defaultValue = "15", description = "neighbours per --near word (default ${DEFAULT-VALUE})")
    int k;

    @Option(
            names = "--skip",
            defaultValue = "0",
            description = "with --top: leave out the N most frequent words first (default ${DEFAULT-VALUE})")
    int skip;

    @Option(
            names = "--method",
            defaultValue = "auto",
            description =
                    "tsne, pca or auto: PCA up to " + AUTO_PCA_MAX + " words, t-SNE above (default ${DEFAULT-VALUE})")
    String method;

    @Option(
            names = "--perplexity",
            defaultValue = "30",
            description = "t-SNE: neighbours each word keeps close (default ${DEFAULT-VALUE}; lowered for few words)")
    double perplexity;

    @Option(names = "--output", required = true, description = "the PNG to write")
    Path output;

    @Option(names = "--width", description = "picture width in pixels (default: grows with the number of words)")
    Integer width;

    @Option(names = "--height", description = "picture height in pixels (default: 3/4 of the width)")
    Integer height;

    @Option(
            names = "--format",
            description = "file format when detection is not wanted: bin, txt, vec, glove, safetensors, e4jv")
    String format;

    @Override
    public Integer call() {
        return VectorsCommands.run("plot", () -> {
            String m = method.toLowerCase(Locale.ROOT);
            if (!m.equals("auto") && !m.equals("tsne") && !m.equals("pca")) {
                throw new IllegalArgumentException("unknown --method \"" + method + "\"; use tsne, pca or auto");
            }
            WordVectors v = VectorsCommands.load(model, format);
            MapWords words = which.words != null
                    ? MapWords.of(v, which.words)
                    : which.top != null ? MapWords.top(v, which.top, skip) : MapWords.near(v, which.near, k);
            int n = words.size();
            boolean tsne = m.equals("tsne") || (m.equals("auto") && n > AUTO_PCA_MAX);
            if (n < (tsne ? 4 : 2) || n > Tsne.MAX_POINTS) {
                throw new IllegalArgumentException("a map needs " + (tsne ? 4 : 2) + " to " + Tsne.MAX_POINTS
                        + " words, got " + n + (n > Tsne.MAX_POINTS ? " (more cannot be labelled readably)" : ""));
            }
            float[] x = unitRows(v, words.words());
            Backend backend = Pca.hostBackend();
            Pca.Result r = tsne ? Tsne.embed(x, n, v.dim(), perplexity, backend) : Pca.project(x, n, v.dim(), backend);
            List<WordMap.Point> points = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                points.add(new WordMap.Point(
                        words.words().get(i), r.x()[i], r.y()[i], words.groups()[i], words.queries()[i]));
            }
            WordMap.Axes axes = tsne
                    ? new WordMap.Axes("t-SNE 1", "t-SNE 2", false)
                    : new WordMap.Axes(
                            String.format(Locale.ROOT, "PC1 (%.1f%% of variance)", 100 * r.explained()[0]),
                            String.format(Locale.ROOT, "PC2 (%.1f%% of variance)", 100 * r.explained()[1]),
                            true);
            String how = tsne
                    ? String.format(Locale.ROOT, "t-SNE (perplexity %.0f)", Math.min(perplexity, (n - 1) / 3.0))
                    : "PCA";
            String title = String.format(
                    Locale.ROOT, "%s: %d words, %s of the %d-d vectors", model.getFileName(), n, how, v.dim());
            int w = width != null ? width : WordMap.defaultWidth(n);
            int h = height != null ? height : w * 3 / 4;
            if (w < 300 || h < 200) {
                throw new IllegalArgumentException("--width must be >= 300 and --height >= 200, got " + w + "x" + h);
            }
            WordMap.write(output, title, points, words.groupNames(), axes, w, h);
            System.out.printf(Locale.ROOT, "wrote %s (%dx%d): %d words, %s%n", output, w, h, n, how);
            return 0;
        });
    }

    /** The words' vectors scaled to unit length, row-major (N,D); a zero vector stays zero. */
    private static float[] unitRows(WordVectors v, List<String> words) {
        int d = v.dim();
        float[] out = new float[words.size() * d];
        for (int i = 0; i < words.size(); i++) {
            v.vector(words.get(i), out, i * d);
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += out[i * d + j] * out[i * d + j];
            }
            if (norm > 0) {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int j = 0; j < d; j++) {
                    out[i * d + j] *= inv;
                }
            }
        }
        return out;
    }
}
