package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.cli.report.ProgressLine;
import org.embed4j.cli.report.TrainingFiles;
import org.embed4j.cli.tensorboard.TensorBoardListener;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.CheckpointInterval;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.WordClasses;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecResult;
import org.embed4j.word2vec.Word2VecTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code embed4j train-vectors --input <txt|gz> --output <prefix> [options]}: trains word vectors and
 * writes {@code <prefix>.bin} (word2vec binary, readable by word2vec and gensim), {@code <prefix>.e4jv}
 * (native memory-mapped, keeps subword rows), {@code <prefix>.vocab.txt}, {@code <prefix>.metrics.jsonl} and
 * {@code <prefix>.curve.png}; with {@code --classes K} also {@code <prefix>.classes} (k-means word classes,
 * word2vec's format). Option names follow word2vec / fastText / gensim; word2vec's spellings (-size, -iter, -alpha,
 * -cbow, -hs, -classes, -save-vocab, -read-vocab) are aliases. {@code --model glove} trains GloVe instead
 * ({@link TrainGlove}, options in {@link GloveArgs}).
 */
@Command(
        name = "train-vectors",
        mixinStandardHelpOptions = true,
        description = "Train word vectors (skip-gram or CBOW, negative sampling and/or hierarchical softmax, optional"
                + " fastText subwords; or GloVe).")
final class TrainVectorsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CorpusArgs corpus = new CorpusArgs();

    @Mixin
    Word2VecArgs w2v = new Word2VecArgs();

    @Mixin
    GloveArgs glove = new GloveArgs();

    @Option(
            names = "--tensorboard",
            description = "also write the training scalars (loss, lr, words/s) as TensorBoard events in this folder")
    Path tensorboard;

    @Option(
            names = "--init",
            description =
                    "continue training this model (.e4jv, .bin, ...) on the input: its words keep their ids and"
                            + " rows, new words (--min-count) are added, the learning rate restarts from --lr; sg and cbow only")
    Path init;

    @Option(
            names = {"--output", "-output"},
            required = true,
            description = "output prefix: writes <prefix>.bin, .e4jv, .metrics.jsonl, .curve.png")
    String output;

    @Option(names = "--model", defaultValue = "sg", description = "sg, cbow or glove (default ${DEFAULT-VALUE})")
    String model;

    @Option(
            names = {"--window", "-window"},
            defaultValue = "5",
            description = "max context distance (default ${DEFAULT-VALUE}; glove: 10)")
    int window;

    @Option(
            names = {"--negative", "-negative"},
            defaultValue = "5",
            description = "negatives per window, 0 = none (needs --hs) (default ${DEFAULT-VALUE})")
    int negative;

    @Option(
            names = {"--hs", "-hs"},
            arity = "0..1",
            fallbackValue = "1",
            defaultValue = "0",
            description = "1 = hierarchical softmax (word2vec C's Huffman tree), with --negative 0 alone (default "
                    + "${DEFAULT-VALUE})")
    int hs;

    @Option(
            names = {"--cbow-mean", "-cbow-mean"},
            defaultValue = "1",
            description = "CBOW input: 1 = mean of the context vectors, 0 = their sum (gensim's cbow_mean; default "
                    + "${DEFAULT-VALUE})")
    int cbowMean;

    @Option(
            names = {"--epochs", "-iter"},
            defaultValue = "5",
            description = "passes over the corpus (default ${DEFAULT-VALUE}; glove: 25)")
    int epochs;

    @Option(
            names = {"--lr", "-alpha"},
            description = "start learning rate (default 0.025 sg, 0.05 cbow and glove)")
    Float lr;

    @Option(
            names = {"--min-lr", "--min-alpha"},
            description = "learning rate at the end of the linear decay (gensim's min_alpha; default lr x 1e-4, "
                    + "word2vec's floor)")
    Float minLr;

    @Option(
            names = {"--classes", "-classes"},
            defaultValue = "0",
            description = "also write <prefix>.classes: k-means over the vectors into this many word classes "
                    + "(word2vec's -classes; default ${DEFAULT-VALUE} = none)")
    int classes;

    @Option(
            names = {"--save-vocab", "-save-vocab"},
            description = "write the vocabulary (word count per line, word2vec's format) to this file")
    Path saveVocab;

    @Option(
            names = {"--read-vocab", "-read-vocab"},
            description = "use the vocabulary in this file (word count per line) instead of counting the corpus")
    Path readVocab;

    @Option(
            names = "--minn",
            defaultValue = "3",
            description = "min char n-gram with subwords (default ${DEFAULT-VALUE})")
    int minn;

    @Option(
            names = "--maxn",
            defaultValue = "0",
            description = "max char n-gram, 0 = no subwords (default ${DEFAULT-VALUE}; fastText uses 6)")
    int maxn;

    @Option(names = "--bucket", defaultValue = "2000000", description = "n-gram hash rows (default ${DEFAULT-VALUE})")
    int bucket;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "INTERVAL",
            description = "with --checkpoint, how often to save it: epoch (default), a duration (30s, 10m, 2h) or a"
                    + " number of words (500000w, 500kw, 2Mw); mid-epoch checkpoints wait for every worker to finish"
                    + " its chunk (~10k words). By words they fall at the same places in every run, so --resume"
                    + " --threads 1 ends bit for bit as an uninterrupted run; sg and cbow only")
    String checkpointEvery;

    @Option(
            names = {"--quiet", "-q"},
            description = "no progress and no log lines (warnings and errors still show)")
    boolean quiet;

    @Override
    public Integer call() {
        return VectorsCommands.run("train-vectors", this::train, this::memoryNeeded);
    }

    private Integer train() throws IOException {
        if (lr != null && !(lr > 0 && Float.isFinite(lr))) {
            // NaN stands for "the model's default" in the options: refuse it here, where it was typed
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        if (minLr != null && !Float.isFinite(minLr)) {
            throw new IllegalArgumentException("--min-lr must be a finite number, got " + minLr);
        }
        if ("glove".equalsIgnoreCase(model)) {
            if (checkpointEvery != null) {
                throw new IllegalArgumentException(
                        "--checkpoint-every applies to sg and cbow; GloVe saves its checkpoint after every epoch");
            }
            return TrainGlove.run(this);
        }
        Word2VecOptions d = Word2VecOptions.defaults();
        WordVectors initVectors = init == null ? null : VectorsCommands.load(init, null);
        Word2VecOptions o = new Word2VecOptions(
                Word2VecOptions.Model.parse(model),
                initVectors != null && !given("--dim") ? initVectors.dim() : w2v.dim,
                window,
                negative,
                w2v.sample,
                w2v.minCount,
                w2v.maxVocab,
                epochs,
                lr == null ? Float.NaN : lr,
                minn,
                maxn,
                bucket,
                w2v.threads == null ? d.threads() : w2v.threads,
                w2v.seed,
                corpus.lowercase,
                d.negTableSize(),
                w2v.backend,
                flag(hs, "--hs"),
                flag(cbowMean, "--cbow-mean"),
                minLr == null ? Float.NaN : minLr);
        if (classes < 0) {
            throw new IllegalArgumentException("--classes must be >= 0, got " + classes);
        }
        // every check that can fail runs before the first file is created
        o.validate();
        if (glove.resume && glove.checkpoint == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint FILE (the checkpoint to continue from)");
        }
        CheckpointInterval every = checkpointInterval(checkpointEvery, glove.checkpoint);
        checkOutputAndInput(output, corpus.input);
        Word2VecResult r;
        try (TrainingFiles files = new TrainingFiles(output, !quiet);
                TensorBoardListener tb = tensorboard == null ? null : new TensorBoardListener(tensorboard)) {
            Word2VecTrainer trainer = new Word2VecTrainer(o, TrainingListener.all(files.listener(), tb))
                    .initFrom(initVectors)
                    .checkpoint(glove.checkpoint)
                    .checkpointEvery(every)
                    .resume(glove.resume);
            r = readVocab == null
                    ? trainer.train(corpus.input)
                    : trainer.train(corpus.input, Vocabulary.read(readVocab));
            files.writeWord2VecCurve("word2vec " + o.model().name().toLowerCase(Locale.ROOT) + " on "
                    + corpus.input.getFileName() + ", " + o.epochs() + (o.epochs() == 1 ? " epoch" : " epochs"));
        }
        save(r, output);
        System.out.println("wrote " + output + ".metrics.jsonl, " + output + ".curve.png");
        if (saveVocab != null) {
            r.vocabulary().write(saveVocab);
            System.out.println("wrote " + saveVocab + " (" + r.vocabulary().size() + " words)");
        }
        if (classes > 0) {
            Path file = Path.of(output + ".classes");
            WordClasses.kmeans(r.vectors(), classes).write(file);
            System.out.println("wrote " + file + " (" + classes + " classes)");
        }
        return 0;
    }

    /** {@code --checkpoint-every}'s interval (after every epoch when not given); it needs {@code --checkpoint}. */
    static CheckpointInterval checkpointInterval(String text, Path checkpoint) {
        if (text == null) {
            return CheckpointInterval.EPOCH;
        }
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint-every needs --checkpoint FILE (where to save)");
        }
        try {
            return CheckpointInterval.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--checkpoint-every: " + e.getMessage(), e);
        }
    }

    /** The checks of the output prefix and the corpus, made before any file is created. */
    static void checkOutputAndInput(String output, Path input) throws IOException {
        OutputPaths.prefix("--output", output);
        if (!Files.isRegularFile(input)) {
            throw new NoSuchFileException(input.toString());
        }
    }

    /** What the matrices of these options take (see {@code Word2VecTrainer}), for an out-of-memory message. */
    private String memoryNeeded() {
        long perRow = 12L * w2v.dim; // input and output rows, and the copy the vectors are made from
        String subwords = maxn > 0
                ? ", plus " + Bytes.of(perRow * bucket) + " for the " + bucket + " subword buckets (--bucket)"
                : "";
        return "training dim " + w2v.dim + " vectors takes about " + Bytes.of(perRow * 1_000_000L)
                + " per million vocabulary words" + subwords + "; lower --max-vocab, --dim"
                + (maxn > 0 ? " or --bucket" : "") + ", or raise --min-count";
    }

    /** word2vec's 0/1 switches. */
    static boolean flag(int value, String name) {
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException(name + " must be 0 or 1, got " + value);
        }
        return value == 1;
    }

    /** Writes the .bin and .e4jv files and prints what was trained and where it went. */
    static void save(Word2VecResult r, String prefix) throws IOException {
        Path bin = Path.of(prefix + ".bin");
        Path nat = Path.of(prefix + ".e4jv");
        r.save(bin, VectorsFormat.WORD2VEC_BINARY);
        r.save(nat, VectorsFormat.NATIVE);
        VocabFile.write(r.vocabulary(), VocabFile.forPrefix(prefix));
        System.out.printf(
                Locale.ROOT,
                "trained %d words x %d dims on %s: %s words in %.1f s, %s words/s (%s per thread), final loss %.4f%n",
                r.vectors().size(),
                r.vectors().dim(),
                r.backend(),
                ProgressLine.compact(r.words()),
                r.trainSeconds(),
                ProgressLine.compact(Math.round(r.wordsPerSecond())),
                ProgressLine.compact(Math.round(r.wordsPerSecond() / r.options().threads())),
                r.finalLoss());
        System.out.println("wrote " + bin + ", " + nat + ", " + VocabFile.forPrefix(prefix));
    }

    /** Whether {@code option} was given on the command line (not just defaulted). */
    boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
