package org.embed4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.cli.report.TrainingFiles;
import org.embed4j.docvec.DocVectorModel;
import org.embed4j.docvec.DocVectorOptions;
import org.embed4j.docvec.DocVectorTrainer;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.word2vec.Word2VecOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embed4j train-docvectors --input <docs> --output <prefix> [options]}: paragraph vectors (gensim's Doc2Vec)
 * on a corpus of one document per line; writes {@code <prefix>.docvec.safetensors} (the model: what
 * {@code test-docvectors} and inference need), {@code <prefix>.docs.bin} (document i under the key "i", word2vec
 * binary) beside {@code <prefix>.bin} (the word vectors), {@code <prefix>.metrics.jsonl} and
 * {@code <prefix>.curve.png}. Option names follow gensim (dm, dbow_words, dm_mean, min_alpha) and word2vec.
 */
@Command(
        name = "train-docvectors",
        mixinStandardHelpOptions = true,
        description = "Train document vectors (paragraph vectors: PV-DBOW or PV-DM), one document per line.")
final class TrainDocVectorsCommand implements Callable<Integer> {
    @Option(
            names = {"--input", "-train"},
            required = true,
            description = "documents: plain UTF-8 or .gz, one document a line (document i = line i)")
    Path input;

    @Option(
            names = {"--output", "-output"},
            required = true,
            description = "output prefix: writes <prefix>.docvec.safetensors, .docs.bin, .bin, .metrics.jsonl")
    String output;

    @Mixin
    Word2VecArgs w2v = new Word2VecArgs();

    @Option(
            names = "--model",
            defaultValue = "dbow",
            description = "dbow (PV-DBOW) or dm (PV-DM) (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--dm", description = "gensim's dm: 1 = PV-DM, 0 = PV-DBOW (overrides --model)")
    Integer dm;

    @Option(
            names = "--dbow-words",
            arity = "0..1",
            fallbackValue = "1",
            defaultValue = "0",
            description = "PV-DBOW: 1 = also train word vectors (skip-gram on the same windows) (default "
                    + "${DEFAULT-VALUE})")
    int dbowWords;

    @Option(
            names = {"--window", "-window"},
            defaultValue = "5",
            description = "max context distance (default ${DEFAULT-VALUE})")
    int window;

    @Option(
            names = {"--negative", "-negative"},
            defaultValue = "5",
            description = "negatives per word, 0 = none (needs --hs) (default ${DEFAULT-VALUE})")
    int negative;

    @Option(
            names = {"--hs", "-hs"},
            arity = "0..1",
            fallbackValue = "1",
            defaultValue = "0",
            description = "1 = hierarchical softmax (default ${DEFAULT-VALUE})")
    int hs;

    @Option(
            names = {"--epochs", "-iter"},
            defaultValue = "10",
            description = "passes over the documents (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(
            names = {"--lr", "--alpha", "-alpha"},
            description = "start learning rate (default 0.025)")
    Float lr;

    @Option(
            names = {"--min-lr", "--min-alpha"},
            description = "learning rate at the end of the linear decay (default lr x 1e-4)")
    Float minLr;

    @Option(
            names = {"--cbow-mean", "--dm-mean"},
            defaultValue = "1",
            description = "PV-DM input: 1 = mean of the context and document vectors, 0 = their sum (default "
                    + "${DEFAULT-VALUE})")
    int cbowMean;

    @Option(
            names = "--infer-epochs",
            defaultValue = "0",
            description = "passes when inferring an unseen document, 0 = --epochs (default ${DEFAULT-VALUE})")
    int inferEpochs;

    @Option(names = "--lowercase", description = "lower-case words while tokenizing")
    boolean lowercase;

    @Option(
            names = {"--quiet", "-q"},
            description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() {
        return VectorsCommands.run("train-docvectors", () -> {
            Word2VecOptions w = Word2VecOptions.defaults()
                    .withDim(w2v.dim)
                    .withWindow(window)
                    .withNegative(negative)
                    .withHs(TrainVectorsCommand.flag(hs, "--hs"))
                    .withSample(w2v.sample)
                    .withMinCount(w2v.minCount)
                    .withMaxVocab(w2v.maxVocab)
                    .withEpochs(epochs)
                    .withLr(lr == null ? Float.NaN : lr)
                    .withMinLr(minLr == null ? Float.NaN : minLr)
                    .withCbowMean(TrainVectorsCommand.flag(cbowMean, "--cbow-mean"))
                    .withSeed(w2v.seed)
                    .withLowercase(lowercase)
                    .withBackend(w2v.backend);
            if (w2v.threads != null) {
                w = w.withThreads(w2v.threads);
            }
            DocVectorOptions.Mode mode = dm == null
                    ? DocVectorOptions.Mode.parse(model)
                    : (TrainVectorsCommand.flag(dm, "--dm") ? DocVectorOptions.Mode.DM : DocVectorOptions.Mode.DBOW);
            DocVectorOptions o =
                    new DocVectorOptions(mode, TrainVectorsCommand.flag(dbowWords, "--dbow-words"), inferEpochs, w);
            DocVectorModel m;
            long start = System.nanoTime();
            try (TrainingFiles files = new TrainingFiles(output, !quiet)) {
                m = new DocVectorTrainer(o, files.listener()).train(input);
                files.writeWord2VecCurve("document vectors on " + input.getFileName());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Path model = Path.of(output + ".docvec.safetensors");
            Path docs = Path.of(output + ".docs.bin");
            Path words = Path.of(output + ".bin");
            m.save(model);
            VectorsIO.write(m.documentVectors(), docs, VectorsFormat.WORD2VEC_BINARY);
            VectorsIO.write(m.wordVectors(), words, VectorsFormat.WORD2VEC_BINARY);
            System.out.printf(
                    Locale.ROOT,
                    "trained %s vectors of %d documents and %d words x %d dims in %.1f s%n",
                    mode == DocVectorOptions.Mode.DBOW ? "PV-DBOW" : "PV-DM",
                    m.documents(),
                    m.wordVectors().size(),
                    w.dim(),
                    seconds);
            System.out.println("wrote " + model + ", " + docs + ", " + words + ", " + output + ".metrics.jsonl, "
                    + output + ".curve.png");
            return 0;
        });
    }
}
