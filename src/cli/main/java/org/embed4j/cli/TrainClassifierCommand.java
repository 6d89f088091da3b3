package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.ClassifierLoss;
import org.embed4j.classify.ClassifierMetrics;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.TextFormats;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.classify.mlp.MlpConfig;
import org.embed4j.classify.mlp.MlpTrainer;
import org.embed4j.cli.report.ClassifierCurves;
import org.embed4j.cli.report.ProgressReporter;
import org.embed4j.cli.tensorboard.TensorBoardListener;
import org.embed4j.train.CheckpointInterval;
import org.embed4j.train.MetricsLog;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code embed4j train-classifier --train <file|set> [--test <file|set>] --output <model>}: trains the
 * fastText-style classifier (mean of word and hashed word-n-gram rows → linear → softmax, Hogwild SGD),
 * prints the test accuracy when there is a test split, and saves the model as one file. {@code --cv K}
 * runs seeded stratified K-fold cross-validation instead and prints mean ± std accuracy.
 * Defaults are fastText's supervised defaults. {@code --model mlp} trains an MLP instead (its own defaults,
 * early stopping on a dev split carved from the training set) and saves it as safetensors.
 * Exit code 0 on success, 1 on bad input (message on stderr).
 */
@Command(
        name = "train-classifier",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Train a fastText-style text classifier on a file (fastText __label__ format or label<TAB>text)"
                + " or a bundled dataset (mr, sst2, sst5, trec, trec-fine, subj, mpqa, imdb, 20ng, sms, spamassassin,"
                + " pros-cons, ag-news, movie-reviews).")
final class TrainClassifierCommand implements Callable<Integer> {
    private static final ClassifierOptions D = ClassifierOptions.DEFAULTS;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            description =
                    "fasttext (default) or mlp: an Embedding -> mean -> Linear+ReLU ->"
                            + " Linear classifier (Adam, mini-batches, dropout, early stopping on a dev split), saved as safetensors;"
                            + " options not given take the MLP's own defaults (epoch 10, lr 0.01 Adam, dim 100, min-count 2, word-ngrams 2)")
    String model = "fasttext";

    @Option(names = "--hidden", description = "MLP only: hidden units (default 100)")
    int hidden = MlpConfig.defaults().hidden();

    @Option(names = "--batch-size", description = "MLP only: texts per Adam step (default 64)")
    int batchSize = MlpConfig.defaults().batchSize();

    @Option(names = "--dropout", description = "MLP only: dropout after the hidden layer (default 0.5)")
    float dropout = MlpConfig.defaults().dropout();

    @Option(
            names = "--dev-fraction",
            description = "MLP only: share of the training set held out for early stopping"
                    + " (default 0.1; 0: no dev split, keep the last epoch)")
    float devFraction = MlpConfig.defaults().devFraction();

    @Option(
            names = "--patience",
            description = "MLP only: stop after this many epochs without a better dev accuracy" + " (default 3)")
    int patience = MlpConfig.defaults().patience();

    @Option(names = "--train", required = true, description = "training file or dataset name")
    String train;

    @Option(
            names = "--test",
            description = "test file or dataset name (default: the dataset's test split or 90/10 hold-out)")
    String test;

    @Option(names = "--output", description = "where to save the model (one .e4jc file; safetensors for --model mlp)")
    Path output;

    @Option(names = "--epoch", description = "passes over the training data (default 5)")
    int epoch = D.epoch();

    @Option(names = "--lr", description = "initial learning rate, decayed linearly to 0 (default 0.1)")
    float lr = D.lr();

    @Option(names = "--word-ngrams", description = "max length of hashed word n-grams (default 1: words only)")
    int wordNgrams = D.wordNgrams();

    @Option(names = "--dim", description = "embedding dimension (default 100)")
    int dim = D.dim();

    @Option(names = "--bucket", description = "hash buckets for word n-grams (default 2000000)")
    int bucket = D.bucket();

    @Option(names = "--minn", description = "shortest character n-gram (default 0; fastText's -minn, e.g. 3)")
    int minn;

    @Option(names = "--maxn", description = "longest character n-gram (default 0: none; fastText's -maxn, e.g. 6)")
    int maxn;

    @Option(names = "--min-count", description = "drop words seen fewer times (default 1)")
    int minCount = D.minCount();

    @Option(names = "--lowercase", description = "lower-case the text first (default: keep case, like fastText)")
    boolean lowercase;

    @Option(
            names = "--loss",
            description = "softmax (one label per example), hs (hierarchical softmax: faster with"
                    + " many labels), ns (negative sampling, --neg labels per update) or ova (one-vs-all, multi-label);"
                    + " default softmax")
    String loss = "softmax";

    @Option(names = "--neg", description = "negative labels sampled per update with --loss ns (default 5)")
    int neg = D.neg();

    @Option(names = "--threads", description = "Hogwild training threads (default 1: bit-for-bit reproducible)")
    int threads = D.threads();

    @Option(names = "--seed", description = "seed for initialisation, shuffling and splits (default 1)")
    long seed = D.seed();

    @Option(
            names = "--pretrained",
            description = "initialise word rows from these vectors (word2vec, .vec, GloVe, ...)")
    Path pretrained;

    @Option(names = "--freeze-pretrained", description = "keep the pretrained rows fixed (default: fine-tune them)")
    boolean freezePretrained;

    @Option(
            names = "--init",
            description = "fine-tune this model (.e4jc, or an MLP's safetensors) on the training data: its words,"
                    + " labels and architecture carry over, new words and labels are added")
    Path init;

    @Option(names = "--cv", description = "K-fold stratified cross-validation over all examples instead of one split")
    int cv;

    @Option(names = "--data", description = "shared data folder holding classify/ (default ../shared/data)")
    Path data;

    @Option(
            names = "--write-split",
            description = "also write the split used as train.txt (shuffled) and test.txt"
                    + " in fastText format to this folder (with --cv: one fold-01, fold-02, ... folder per fold), so other tools"
                    + " can train on the same examples")
    Path writeSplit;

    @Option(names = "--metrics", description = "JSONL file with one record per epoch")
    Path metrics;

    @Option(
            names = "--curve",
            description = "PNG of the training curves per epoch: the loss (MLP: also the dev loss and dev accuracy)")
    Path curve;

    @Option(
            names = "--tensorboard",
            description = "also write the training scalars (loss per epoch; MLP: dev accuracy) as TensorBoard events"
                    + " in this folder")
    Path tensorboard;

    @Option(names = "--quiet", description = "no progress and no log lines (warnings and errors still show)")
    boolean quiet;

    @Option(
            names = "--checkpoint",
            description = "fastText-style: save the weights here (atomically) after every epoch, or as"
                    + " --checkpoint-every says")
    Path checkpoint;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "INTERVAL",
            description = "with --checkpoint, how often to save it: epoch (default), a duration (30s, 10m, 2h) or a"
                    + " number of tokens, words and n-grams (500000w, 500kw, 2Mw); mid-epoch checkpoints wait for"
                    + " every thread to finish its example. By tokens they fall at the same places in every run, so"
                    + " --resume --threads 1 saves the same model as an uninterrupted run")
    String checkpointEvery;

    @Option(names = "--resume", description = "fastText-style: continue from --checkpoint when it exists")
    boolean resume;

    @Override
    public Integer call() {
        return VectorsCommands.run("train-classifier", this::trainAndReport, this::memoryNeeded);
    }

    private ClassifierOptions options() {
        return new ClassifierOptions(
                dim,
                lr,
                epoch,
                wordNgrams,
                bucket,
                minCount,
                lowercase,
                threads,
                seed,
                ClassifierLoss.parse(loss),
                minn,
                maxn,
                neg);
    }

    /** What the fastText-style model of these options takes, for an out-of-memory message. */
    private String memoryNeeded() {
        long perRow = 8L * dim; // the weights and the copy the saved model is made from
        return "the input matrix alone takes " + Bytes.of(perRow * bucket) + " for the " + bucket
                + " hash buckets (--bucket) at dim " + dim + ", plus " + Bytes.of(perRow * 1_000_000L)
                + " per million vocabulary words; lower --bucket or --dim, or raise --min-count";
    }

    private Integer trainAndReport() throws IOException {
        if (output != null) {
            OutputPaths.file("--output", output);
        }
        Classifier initModel = init == null ? null : Classifier.load(init);
        if (initModel instanceof MlpClassifier && !given("--model")) {
            model = "mlp";
        }
        if (initModel != null) {
            boolean mlp = "mlp".equalsIgnoreCase(model);
            if (mlp != initModel instanceof MlpClassifier) {
                throw new IllegalArgumentException("--init " + init + " is a " + (mlp ? "fastText-style" : "MLP")
                        + " model, but --model is " + model);
            }
            System.out.printf(
                    "fine-tuning %s: %d words, %d labels%n",
                    init, initModel.vocabularySize(), initModel.labels().size());
        }
        if ("mlp".equalsIgnoreCase(model)) {
            return trainMlp((MlpClassifier) initModel);
        }
        if (!"fasttext".equalsIgnoreCase(model)) {
            throw new IllegalArgumentException("unknown --model \"" + model + "\"; use fasttext or mlp");
        }
        TextClassifier base = (TextClassifier) initModel;
        ClassifierOptions o = base == null
                ? options()
                : new FastTextTrainer(options()).initFrom(base).options();
        if (output == null && cv == 0) {
            throw new IllegalArgumentException("--output <model> is required (or --cv K for cross-validation only)");
        }
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint FILE (the checkpoint to continue from)");
        }
        if (checkpoint != null && cv != 0) {
            throw new IllegalArgumentException("--checkpoint does not combine with --cv (one checkpoint per run)");
        }
        CheckpointInterval every = TrainVectorsCommand.checkpointInterval(checkpointEvery, checkpoint);
        WordVectors vectors = pretrained == null ? null : VectorsIO.read(pretrained);
        if (cv != 0) {
            return crossValidate(examples -> new FastTextTrainer(o)
                    .initFrom(base)
                    .pretrained(vectors, freezePretrained)
                    .train(examples));
        }
        Splits.Fold fold = ClassifyInputs.split(train, data, seed);
        List<LabeledText> testSet = test != null ? ClassifyInputs.test(test, data, seed) : fold.test();
        if (writeSplit != null) {
            writeSplit(writeSplit, fold.train(), testSet);
        }
        System.out.printf(
                "training on %d examples, testing on %d%n", fold.train().size(), testSet.size());
        List<FastTextTrainer.EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        TextClassifier model;
        try (ProgressReporter bar = new ProgressReporter(!quiet);
                MetricsLog log = metrics == null ? null : new MetricsLog(metrics);
                TensorBoardListener tb = tensorboard == null ? null : new TensorBoardListener(tensorboard)) {
            model = new FastTextTrainer(o)
                    .initFrom(base)
                    .pretrained(vectors, freezePretrained)
                    .checkpoint(checkpoint)
                    .checkpointEvery(every)
                    .resume(resume)
                    .onEpoch(s -> {
                        history.add(s);
                        bar.onProgress(
                                "train-classifier",
                                s.epoch(),
                                epoch,
                                "epochs",
                                String.format("loss %.4f", s.meanLoss()));
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("epoch", s.epoch());
                        r.put("loss", s.meanLoss());
                        r.put("examples", s.examples());
                        r.put("seconds", s.seconds());
                        if (log != null) {
                            log.log(r);
                        }
                        if (tb != null) {
                            tb.onMetrics(r);
                        }
                    })
                    .train(fold.train());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "vocabulary %d words, %d labels, %d threads%n",
                model.vocabularySize(), model.labels().size(), threads);
        if (history.isEmpty()) {
            System.out.printf("train-time %.2f s (the checkpoint had every epoch)%n", seconds);
        } else {
            System.out.printf(
                    "train-time %.2f s (final loss %.4f)%n",
                    seconds, history.get(history.size() - 1).meanLoss());
        }
        if (!testSet.isEmpty()) {
            ClassifierMetrics m = ClassifierMetrics.evaluate(model, testSet, 1);
            System.out.printf(
                    "test accuracy %.2f%% (%d/%d), macro-F1 %.4f%n",
                    100 * m.accuracy(), m.correctTop1(), m.examples(), m.macroF1());
        }
        if (curve != null) {
            ClassifierCurves.fastText(
                    curve,
                    "train-classifier " + train + " (fastText-style, " + ClassifierLoss.parse(loss) + " loss)",
                    history);
            System.out.println("wrote " + curve);
        }
        if (output != null) {
            model.save(output);
            System.out.println("saved " + output);
        }
        return 0;
    }

    /**
     * The MLP with its own defaults, overridden only by the options given on the command line; with pretrained
     * vectors and no --dim, the vectors' dimension.
     */
    private Integer trainMlp(MlpClassifier base) throws IOException {
        for (String fastTextOnly : List.of(
                "--bucket",
                "--minn",
                "--maxn",
                "--loss",
                "--neg",
                "--threads",
                "--lowercase",
                "--checkpoint",
                "--checkpoint-every",
                "--resume")) {
            if (given(fastTextOnly)) {
                throw new IllegalArgumentException(
                        fastTextOnly + " applies to --model fasttext only; the MLP lower-cases,"
                                + " embeds every word n-gram of the vocabulary and trains on one thread");
            }
        }
        WordVectors vectors = pretrained == null ? null : VectorsIO.read(pretrained);
        MlpConfig d = MlpConfig.defaults();
        int mlpDim =
                base != null ? base.config().dim() : given("--dim") ? dim : vectors != null ? vectors.dim() : d.dim();
        MlpConfig config = new MlpConfig(
                given("--epoch") ? epoch : d.epochs(),
                batchSize,
                mlpDim,
                base != null ? base.config().hidden() : hidden,
                given("--lr") ? lr : d.lr(),
                seed,
                dropout,
                given("--min-count") ? minCount : d.minCount(),
                base != null ? base.config().wordNgrams() : given("--word-ngrams") ? wordNgrams : d.wordNgrams(),
                devFraction,
                patience);
        if (cv != 0) {
            return crossValidate(examples -> {
                try {
                    return trainMlp(config, base, vectors, examples, false).classifier();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        Splits.Fold fold = ClassifyInputs.split(train, data, seed);
        List<LabeledText> testSet = test != null ? ClassifyInputs.test(test, data, seed) : fold.test();
        if (writeSplit != null) {
            writeSplit(writeSplit, fold.train(), testSet);
        }
        MlpTrainer.Result r = trainMlp(config, base, vectors, fold.train(), true);
        System.out.printf(
                "training on %d examples (%d held out as dev), testing on %d%n",
                r.trainExamples(), r.devExamples(), testSet.size());
        System.out.printf(
                "vocabulary %d terms, %d labels, %d epochs run, kept epoch %d%s%n",
                r.classifier().words().size(),
                r.classifier().labels().size(),
                r.epochLoss().size(),
                r.bestEpoch(),
                r.devAccuracy().isEmpty()
                        ? ""
                        : String.format(
                                " (dev accuracy %.2f%%)", 100 * r.devAccuracy().get(r.bestEpoch() - 1)));
        System.out.printf(
                "train-time %.2f s (final loss %.4f)%n",
                r.trainMillis() / 1000.0, r.epochLoss().getLast());
        if (!testSet.isEmpty()) {
            ClassifierMetrics m = ClassifierMetrics.evaluate(r.classifier(), testSet, 1);
            System.out.printf(
                    "test accuracy %.2f%% (%d/%d), macro-F1 %.4f%n",
                    100 * m.accuracy(), m.correctTop1(), m.examples(), m.macroF1());
        }
        if (output != null) {
            r.classifier().save(output);
            System.out.println("saved " + output);
        } else if (testSet.isEmpty()) {
            throw new IllegalArgumentException("nothing to report: pass --test <file|dataset> or --output <model>");
        }
        return 0;
    }

    /**
     * Trains the MLP on {@code examples}; with {@code report} (a single split, not a fold of --cv) it shows progress
     * unless --quiet and writes --metrics (one record an epoch), --tensorboard events and --curve.
     */
    private MlpTrainer.Result trainMlp(
            MlpConfig config, MlpClassifier base, WordVectors vectors, List<LabeledText> examples, boolean report)
            throws IOException {
        MlpTrainer.Result r;
        List<Map<String, Object>> records = new ArrayList<>();
        TrainingListener collect = new TrainingListener() {
            @Override
            public void onMetrics(Map<String, Object> record) {
                records.add(new LinkedHashMap<>(record));
            }
        };
        try (ProgressReporter bar = new ProgressReporter(report && !quiet);
                MetricsLog log = report && metrics != null ? new MetricsLog(metrics) : null;
                TensorBoardListener tb = report && tensorboard != null ? new TensorBoardListener(tensorboard) : null) {
            r = new MlpTrainer(config, org.embed4j.backend.Backends.auto())
                    .initFrom(base)
                    .pretrained(vectors, freezePretrained)
                    .listener(TrainingListener.all(bar, log, collect, tb))
                    .train(examples);
        }
        if (report && curve != null) {
            ClassifierCurves.mlp(curve, "train-classifier " + train + " (MLP)", records, r.bestEpoch());
            System.out.println("wrote " + curve);
        }
        return r;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Seeded stratified K-fold cross-validation: {@code trainFold} trains one model per fold's training part. */
    private Integer crossValidate(Function<List<LabeledText>, Classifier> trainFold) throws IOException {
        if (cv < 2) {
            throw new IllegalArgumentException("--cv must be >= 2, got " + cv);
        }
        Splits.Fold whole = ClassifyInputs.split(train, data, seed);
        List<LabeledText> all = new ArrayList<>(whole.train());
        all.addAll(whole.test());
        double[] acc = new double[cv];
        List<Splits.Fold> folds = Splits.stratifiedKFold(all, cv, seed);
        for (int f = 0; f < cv; f++) {
            if (writeSplit != null) {
                writeSplit(
                        writeSplit.resolve(String.format("fold-%02d", f + 1)),
                        folds.get(f).train(),
                        folds.get(f).test());
            }
            Classifier model = trainFold.apply(folds.get(f).train());
            acc[f] = ClassifierMetrics.evaluate(model, folds.get(f).test(), 1).accuracy();
            System.out.printf("fold %d: accuracy %.2f%%%n", f + 1, 100 * acc[f]);
        }
        double mean = 0;
        for (double a : acc) {
            mean += a / cv;
        }
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean) / (cv - 1);
        }
        System.out.printf("%d-fold accuracy %.2f%% ± %.2f (std over folds)%n", cv, 100 * mean, 100 * Math.sqrt(var));
        return 0;
    }

    /** The split as fastText-format train.txt (shuffled with the seed) and test.txt in {@code dir}. */
    private void writeSplit(Path dir, List<LabeledText> trainSet, List<LabeledText> testSet) throws IOException {
        Files.createDirectories(dir);
        List<LabeledText> shuffled = new ArrayList<>(trainSet);
        Collections.shuffle(shuffled, new Random(seed)); // fastText does not shuffle; sorted sets would defeat it
        TextFormats.writeFastText(dir.resolve("train.txt"), shuffled);
        TextFormats.writeFastText(dir.resolve("test.txt"), testSet);
    }
}
