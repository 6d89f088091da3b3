package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.embed4j.cli.report.TrainingFiles;
import org.embed4j.cli.tensorboard.TensorBoardListener;
import org.embed4j.glove.GloveOptions;
import org.embed4j.glove.GloveResult;
import org.embed4j.glove.GloveTrainer;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.VectorsFormat;

/**
 * {@code train-vectors --model glove}: the GloVe trainer with train-vectors' shared options (GloVe's own defaults
 * where an option was not given: window 10, 25 epochs, lr 0.05) and {@link GloveArgs}; writes what word2vec runs
 * write (.bin, .e4jv, .vocab.txt, .metrics.jsonl, .curve.png). Stateless.
 */
final class TrainGlove {
    private TrainGlove() {}

    static int run(TrainVectorsCommand c) throws IOException {
        for (String w2vOnly : new String[] {"--negative", "--sample", "--minn", "--maxn", "--bucket", "--init"}) {
            if (c.given(w2vOnly)) {
                throw new IllegalArgumentException(w2vOnly + " applies to sg and cbow, not glove");
            }
        }
        GloveArgs g = c.glove;
        GloveOptions d = GloveOptions.defaults();
        GloveOptions o = GloveOptions.builder()
                .dim(c.w2v.dim)
                .window(c.given("--window") ? c.window : d.window())
                .symmetric(!g.asymmetric)
                .distanceWeighting(!g.noDistanceWeighting)
                .minCount(c.w2v.minCount)
                .maxVocab(c.w2v.maxVocab)
                .epochs(c.given("--epochs") ? c.epochs : d.epochs())
                .lr(c.lr == null ? d.lr() : c.lr)
                .xMax(g.xMax)
                .alpha(g.alpha)
                .threads(c.w2v.threads == null ? d.threads() : c.w2v.threads)
                .seed(c.w2v.seed)
                .lowercase(c.corpus.lowercase)
                .memoryMb(g.memoryMb)
                .batchSize(g.batchSize)
                .adagrad(GloveOptions.Adagrad.parse(g.adagrad))
                .output(parseOutput(g.output))
                .backend(c.w2v.backend)
                .build();
        TrainVectorsCommand.checkOutputAndInput(c.output, c.corpus.input);
        GloveResult r;
        PhasePeaks peaks = new PhasePeaks("glove");
        try (TrainingFiles files = new TrainingFiles(c.output, !c.quiet);
                TensorBoardListener tb = c.tensorboard == null ? null : new TensorBoardListener(c.tensorboard)) {
            TrainingListener listener = TrainingListener.all(files.listener(), tb, peaks);
            r = new GloveTrainer(o, listener)
                    .checkpoint(g.checkpoint)
                    .resume(g.resume)
                    .workDir(g.workDir)
                    .train(c.corpus.input);
            files.writeGloveCurve("GloVe on " + c.corpus.input.getFileName());
        }
        Path bin = Path.of(c.output + ".bin");
        Path nat = Path.of(c.output + ".e4jv");
        r.save(bin, VectorsFormat.WORD2VEC_BINARY);
        r.save(nat, VectorsFormat.NATIVE);
        VocabFile.write(r.vocabulary(), VocabFile.forPrefix(c.output));
        System.out.printf(
                Locale.ROOT,
                "trained GloVe %d words x %d dims on %s: %,d co-occurrence records built in %.1f s,"
                        + " %d epochs in %.1f s, final cost %.5f%n",
                r.vectors().size(),
                r.vectors().dim(),
                r.backend(),
                r.records(),
                r.cooccurrenceSeconds(),
                o.epochs(),
                r.trainSeconds(),
                r.finalLoss());
        String memory = peaks.summary();
        if (memory != null) {
            System.out.println(memory);
        }
        System.out.println("wrote " + bin + ", " + nat + ", " + VocabFile.forPrefix(c.output) + ", " + c.output
                + ".metrics.jsonl, " + c.output + ".curve.png");
        return 0;
    }

    private static GloveOptions.Output parseOutput(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "w+c", "wc", "sum" -> GloveOptions.Output.WORD_PLUS_CONTEXT;
            case "w", "word" -> GloveOptions.Output.WORD;
            default -> throw new IllegalArgumentException("--glove-output must be w+c or w, got " + s);
        };
    }
}
