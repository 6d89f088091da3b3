package org.embed4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.cli.report.TrainingFiles;
import org.embed4j.vectors.AnalogyResult;
import org.embed4j.vectors.Evaluation;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.SimilarityResult;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecResult;
import org.embed4j.word2vec.Word2VecTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j demo}: the README's first command. Trains skip-gram vectors on the Brown corpus shipped in
 * data/ (1.16M tokens), prints the nearest neighbours of a few words, the WordSim-353 Spearman correlation
 * and the Google analogy accuracy (30k most frequent words, as word2vec's compute-accuracy), and saves the
 * model with its training curves ({@code <output>.curve.png}). Well under 2 minutes on 2 cores.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Train word vectors on the bundled Brown corpus, show neighbours and benchmark scores.")
final class DemoCommand implements Callable<Integer> {
    private static final int LINE = 79;
    private static final List<String> QUERIES = List.of("money", "president", "water", "church", "good", "city");

    @Option(
            names = "--data",
            description = "folder with brown.txt.gz and eval/ (default: ./data, else next to the jar)")
    Path data;

    @Option(names = "--output", defaultValue = "demo/brown", description = "output prefix (default ${DEFAULT-VALUE})")
    String output;

    @Option(names = "--epochs", defaultValue = "10", description = "passes over the corpus (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--threads", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(
            names = {"--quiet", "-q"},
            description = "no progress and no log lines (warnings and errors still show)")
    boolean quiet;

    @Override
    public Integer call() {
        return VectorsCommands.run("demo", () -> {
            Path dir = data != null ? data : findData();
            Path corpus = dir.resolve("brown.txt.gz");
            Word2VecOptions d = Word2VecOptions.defaults();
            Word2VecOptions o = d.withLowercase(true)
                    .withEpochs(epochs)
                    .withMinCount(5)
                    .withThreads(threads == null ? d.threads() : threads)
                    .validate();
            OutputPaths.prefix("--output", output);
            System.out.println("embed4j demo: skip-gram on " + corpus + " (Brown corpus, 1.16M tokens), " + epochs
                    + " epochs, " + o.threads() + " threads");
            Word2VecResult r;
            try (TrainingFiles files = new TrainingFiles(output, !quiet)) {
                r = new Word2VecTrainer(o, files.listener()).train(corpus);
                files.writeWord2VecCurve("word2vec skip-gram on the Brown corpus, " + epochs + " epochs");
            }
            TrainVectorsCommand.save(r, output);
            System.out.println("wrote " + output + ".metrics.jsonl, " + output + ".curve.png (training curves)");
            WordVectors v = r.vectors();
            System.out.println();
            for (String q : QUERIES) {
                if (!v.contains(q)) {
                    continue;
                }
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s ->", q));
                for (Neighbor n : v.nearest(q, 8)) {
                    String next = String.format(Locale.ROOT, " %s (%.2f)", n.word(), n.score());
                    if (sb.length() + next.length() > LINE) {
                        break; // one line on an 80-column terminal
                    }
                    sb.append(next);
                }
                System.out.println(sb);
            }
            System.out.println();
            SimilarityResult ws = Evaluation.similarity(v, dir.resolve("eval/wordsim353.tsv"));
            System.out.printf(
                    Locale.ROOT,
                    "WordSim-353 Spearman: %.3f (%d of %d pairs covered)%n",
                    ws.spearman(),
                    ws.covered(),
                    ws.total());
            AnalogyResult an = Evaluation.analogy(v, dir.resolve("eval/questions-words.txt"), 30_000);
            System.out.printf(
                    Locale.ROOT,
                    "Google analogies (30k words): %.1f%% (semantic %.1f%%, syntactic %.1f%%),"
                            + " %d of %d questions covered%n",
                    100 * an.totalAccuracy(),
                    100 * an.semanticAccuracy(),
                    100 * an.syntacticAccuracy(),
                    an.covered(),
                    an.total());
            System.out.println(
                    "(a 1M-token corpus is small for word vectors: docs/benchmarks.md has the 10M-token benchmark)");
            System.out.println("a map of these words and their neighbours:");
            System.out.println("  ./embed4j plot --model " + output
                    + ".e4jv --near money,president,water,church --output " + output + ".map.png");
            return 0;
        });
    }

    /** ./data when run from the repository, else the data/ folder beside target/ holding the jar. */
    private static Path findData() throws java.io.IOException {
        Path here = Path.of("data");
        if (Files.isRegularFile(here.resolve("brown.txt.gz"))) {
            return here;
        }
        try {
            Path jar = Path.of(DemoCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("data/brown.txt.gz"))) {
                    return p.resolve("data");
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException ignored) {
            // fall through to the error below
        }
        throw new java.nio.file.NoSuchFileException(
                "data/brown.txt.gz", null, "Brown corpus not found in ./data or next to the jar; pass --data <folder>");
    }
}
