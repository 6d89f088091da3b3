package org.embed4j.classify.mlp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import org.embed4j.backend.Backend;
import org.embed4j.classify.LabeledText;
import org.embed4j.nn.CrossEntropyLoss;
import org.embed4j.nn.Init;
import org.embed4j.nn.Parameter;
import org.embed4j.optim.Adam;
import org.embed4j.tensor.Tensor;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.WordVectors;

/**
 * Trains the MLP text classifier ({@link TextMlp}): a seeded dev split is carved from the training texts
 * ({@code devFraction}); the vocabulary is the remaining texts' terms seen {@code minCount}+ times; mini-batches
 * in a seeded shuffled order, dropout, softmax cross-entropy and Adam; after each epoch the dev accuracy (ties: the
 * lower dev loss) decides whether this epoch is the best so far, training stops after {@code patience} epochs
 * without one, and the best epoch's weights become the {@link MlpClassifier}. Without a dev split, every epoch runs
 * and the last one is kept. Optional pretrained vectors initialise the rows of the words they know, which can be
 * kept frozen. Deterministic for a seed on a deterministic backend.
 *
 * <p>Not thread-safe; each call builds and closes its own module (and reseeds the process-wide {@link Init}).
 */
public final class MlpTrainer {
    private static final System.Logger LOG = System.getLogger(MlpTrainer.class.getName());
    private static final long DEV_SPLIT_SALT = 0x6465_7673_706cL; // the dev split must not share the shuffle's stream

    /**
     * What training produced: the best epoch's model, the mean training loss of each epoch run, the dev accuracy
     * after each epoch (empty without a dev split), the 1-based epoch kept, and the split sizes.
     */
    public record Result(
            MlpClassifier classifier,
            List<Double> epochLoss,
            List<Double> devAccuracy,
            int bestEpoch,
            int trainExamples,
            int devExamples,
            long trainMillis) {}

    private final MlpConfig config;
    private final Backend backend;
    private WordVectors pretrained;
    private boolean freezePretrained;
    private MlpClassifier init; // fine-tune this model, or null
    private TrainingListener listener = TrainingListener.NONE;

    public MlpTrainer(MlpConfig config, Backend backend) {
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * Initialise the embedding rows of the vocabulary words these vectors contain (null: none); with {@code freeze}
     * those rows stay fixed (PyTorch's {@code from_pretrained(freeze=True)}, row-wise), while the other words and
     * the n-grams still learn. The vectors' dimension must equal the config's.
     */
    public MlpTrainer pretrained(WordVectors vectors, boolean freeze) {
        if (vectors != null && init != null) {
            throw new IllegalArgumentException("fine-tuning (--init) and pretrained vectors do not combine");
        }
        if (vectors != null && vectors.dim() != config.dim()) {
            throw new IllegalArgumentException("pretrained vectors have dim " + vectors.dim() + " but the MLP dim is "
                    + config.dim() + "; pass --dim " + vectors.dim());
        }
        this.pretrained = vectors;
        this.freezePretrained = freeze;
        return this;
    }

    /**
     * Fine-tune {@code model} on the training texts instead of starting fresh (see {@link MlpFineTune}): its terms,
     * labels and weights carry over, new terms and labels are added. The config's shape must be the model's.
     */
    public MlpTrainer initFrom(MlpClassifier model) {
        if (model != null) {
            MlpFineTune.check(model, config);
            if (pretrained != null) {
                throw new IllegalArgumentException("fine-tuning (--init) and pretrained vectors do not combine");
            }
        }
        this.init = model;
        return this;
    }

    /**
     * Reports progress after every batch and a metrics record ({@code epoch}, {@code loss}, {@code dev_accuracy})
     * after every epoch to {@code listener}.
     */
    public MlpTrainer listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Trains on {@code examples} (the dev split is carved from them). */
    public Result train(List<LabeledText> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        Init.manualSeed(config.seed());
        List<List<LabeledText>> split = devSplit(examples);
        List<LabeledText> train = split.get(0);
        List<LabeledText> dev = split.get(1);
        List<String> labels = init != null
                ? MlpFineTune.labels(init, examples)
                : List.copyOf(
                        new TreeSet<>(examples.stream().map(LabeledText::label).toList()));
        Vocabulary vocab = buildVocabulary(train);
        int[][] trainIds = encode(train, vocab.ids);
        int[] trainY = labelsOf(train, labels);
        int[][] devIds = encode(dev, vocab.ids);
        int[] devY = labelsOf(dev, labels);
        long start = System.nanoTime();
        try (TextMlp model = new TextMlp(
                        vocab.words.size(), config.dim(), config.hidden(), labels.size(), config.dropout(), backend);
                CrossEntropyLoss loss = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), backend);
                Adam opt = new Adam(model.parameters(), config.lr());
                Tensor frozen = initPretrained(model, vocab)) {
            if (init != null) {
                MlpFineTune.copyWeights(init, model, backend);
            }
            List<Double> epochLoss = new ArrayList<>();
            List<Double> devAccuracy = new ArrayList<>();
            MlpClassifier best = null;
            int bestEpoch = 0;
            double bestAccuracy = -1;
            double bestLoss = Double.POSITIVE_INFINITY;
            Random shuffle = new Random(config.seed());
            int batches = (train.size() + config.batchSize() - 1) / config.batchSize();
            try {
                for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                    model.train();
                    int[] order = permutation(train.size(), shuffle);
                    double sum = 0;
                    for (int bi = 0; bi < batches; bi++) {
                        int from = bi * config.batchSize();
                        int to = Math.min(train.size(), from + config.batchSize());
                        try (Batch batch = Batch.of(trainIds, trainY, order, from, to)) {
                            opt.zeroGrad();
                            Tensor logits = model.forward(batch.ids, batch.offsets);
                            loss.forward(logits, batch.targets);
                            float l = loss.item();
                            if (!Float.isFinite(l)) {
                                throw new IllegalStateException("training diverged: loss " + l + " at epoch " + epoch
                                        + ", batch " + (bi + 1) + "; lower --lr (now " + config.lr() + ")");
                            }
                            sum += l;
                            model.backward(loss.backward());
                            opt.step();
                            if (frozen != null) {
                                restoreFrozenRows(model, frozen);
                            }
                        }
                        listener.onProgress(
                                "train-mlp",
                                (long) (epoch - 1) * batches + bi + 1,
                                (long) batches * config.epochs(),
                                "batches",
                                String.format(
                                        Locale.ROOT, "epoch %d/%d loss %.4f", epoch, config.epochs(), sum / (bi + 1)));
                    }
                    epochLoss.add(sum / batches);
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("epoch", epoch);
                    record.put("loss", sum / batches);
                    if (dev.isEmpty()) {
                        listener.onMetrics(record);
                        continue;
                    }
                    double[] score = evaluate(model, devIds, devY, labels.size());
                    devAccuracy.add(score[0]);
                    record.put("dev_accuracy", score[0]);
                    record.put("dev_loss", score[1]);
                    listener.onMetrics(record);
                    LOG.log(
                            System.Logger.Level.DEBUG,
                            "epoch {0}: train loss {1}, dev accuracy {2}, dev loss {3}",
                            epoch,
                            sum / batches,
                            score[0],
                            score[1]);
                    if (score[0] > bestAccuracy || (score[0] == bestAccuracy && score[1] < bestLoss)) {
                        bestAccuracy = score[0];
                        bestLoss = score[1];
                        bestEpoch = epoch;
                        best = snapshot(model, vocab.words, labels);
                    } else if (epoch - bestEpoch >= config.patience()) {
                        break;
                    }
                }
            } finally {
                listener.onEnd();
            }
            if (best == null) {
                best = snapshot(model, vocab.words, labels);
                bestEpoch = epochLoss.size();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Result(
                    best,
                    List.copyOf(epochLoss),
                    List.copyOf(devAccuracy),
                    bestEpoch,
                    train.size(),
                    dev.size(),
                    millis);
        }
    }

    /** [train, dev]: a seeded shuffle, the first devFraction of it as dev; no dev when that would be 0 or all. */
    private List<List<LabeledText>> devSplit(List<LabeledText> examples) {
        int devSize = (int) Math.round(examples.size() * (double) config.devFraction());
        if (devSize == 0 || devSize >= examples.size()) {
            return List.of(examples, List.of());
        }
        int[] order = permutation(examples.size(), new Random(config.seed() ^ DEV_SPLIT_SALT));
        List<LabeledText> dev = new ArrayList<>(devSize);
        List<LabeledText> train = new ArrayList<>(examples.size() - devSize);
        for (int i = 0; i < order.length; i++) {
            (i < devSize ? dev : train).add(examples.get(order[i]));
        }
        return List.of(train, dev);
    }

    /** Terms in row order, and their ids; {@code pretrainedRows} leading rows are words the vectors know. */
    private record Vocabulary(List<String> words, Map<String, Integer> ids, int pretrainedRows) {}

    /**
     * The terms of {@code train} seen minCount+ times, ordered by count, then alphabetically (ids must not depend on
     * HashMap order). With pretrained vectors the words they know come first, so that their rows are one block.
     */
    private Vocabulary buildVocabulary(List<LabeledText> train) {
        Map<String, Integer> counts = new HashMap<>();
        for (LabeledText t : train) {
            for (String w : MlpClassifier.terms(t.text(), config.wordNgrams())) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> kept = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() >= config.minCount()) {
                kept.add(e);
            }
        }
        kept.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        if (kept.isEmpty() && init == null) {
            throw new IllegalArgumentException("the training texts have no word seen " + config.minCount() + "+ times");
        }
        if (init != null) {
            List<String> words = MlpFineTune.words(init, kept);
            Map<String, Integer> ids = new HashMap<>(words.size() * 2);
            for (String w : words) {
                ids.put(w, ids.size());
            }
            return new Vocabulary(List.copyOf(words), ids, 0);
        }
        List<String> words = new ArrayList<>(kept.size());
        List<String> rest = new ArrayList<>();
        for (Map.Entry<String, Integer> e : kept) {
            (pretrained != null && pretrained.contains(e.getKey()) ? words : rest).add(e.getKey());
        }
        int pretrainedRows = words.size();
        words.addAll(rest);
        Map<String, Integer> ids = new HashMap<>(words.size() * 2);
        for (String w : words) {
            ids.put(w, ids.size());
        }
        return new Vocabulary(List.copyOf(words), ids, pretrainedRows);
    }

    /**
     * Copies the pretrained vectors into the leading embedding rows; returns those rows as a host tensor to restore
     * after every step when they are frozen (null otherwise). Restoring after Adam's step is exact, and cheaper here
     * than masking the dense gradient, because the frozen rows are one contiguous block.
     */
    private Tensor initPretrained(TextMlp model, Vocabulary vocab) {
        if (pretrained == null || vocab.pretrainedRows == 0) {
            return null;
        }
        int d = config.dim();
        float[] rows = new float[vocab.pretrainedRows * d];
        for (int i = 0; i < vocab.pretrainedRows; i++) {
            pretrained.vector(pretrained.indexOf(vocab.words.get(i)), rows, i * d);
        }
        Tensor block = Tensor.of(rows, vocab.pretrainedRows, d);
        restoreFrozenRows(model, block);
        LOG.log(
                System.Logger.Level.INFO,
                "{0} of {1} vocabulary terms start from pretrained vectors{2}",
                vocab.pretrainedRows,
                vocab.words.size(),
                freezePretrained ? " (frozen)" : "");
        if (freezePretrained) {
            return block;
        }
        block.close();
        return null;
    }

    private void restoreFrozenRows(TextMlp model, Tensor hostRows) {
        Tensor dst = model.embedding().weight().data().rows(0, hostRows.shape()[0]);
        if (backend.device().isHost()) {
            backend.copy(dst, hostRows);
        } else {
            try (Tensor onDevice = backend.fromHost(hostRows)) {
                backend.copy(dst, onDevice);
            }
        }
    }

    /** A host copy of the module's current weights as an immutable classifier. */
    private MlpClassifier snapshot(TextMlp model, List<String> words, List<String> labels) {
        return new MlpClassifier(
                config,
                words,
                labels,
                host(model.embedding().weight()),
                host(model.hidden().weight()),
                host(model.hidden().bias()),
                host(model.output().weight()),
                host(model.output().bias()));
    }

    private float[] host(Parameter p) {
        Tensor t = p.data();
        if (t.device().isHost()) {
            return t.toFloatArray();
        }
        try (Tensor h = backend.toHost(t)) {
            return h.toFloatArray();
        }
    }

    /** {accuracy, mean cross-entropy} of the module in eval mode on {@code ids}/{@code y}. */
    private double[] evaluate(TextMlp model, int[][] ids, int[] y, int k) {
        model.eval();
        int[] all = permutation(ids.length, null);
        int correct = 0;
        double lossSum = 0;
        for (int from = 0; from < ids.length; from += config.batchSize()) {
            int to = Math.min(ids.length, from + config.batchSize());
            try (Batch batch = Batch.of(ids, y, all, from, to)) {
                Tensor logits = model.forward(batch.ids, batch.offsets);
                float[] values = logits.device().isHost() ? logits.toFloatArray() : hostValues(logits);
                for (int r = 0; r < to - from; r++) {
                    int best = 0;
                    double max = values[r * k];
                    for (int c = 1; c < k; c++) {
                        if (values[r * k + c] > values[r * k + best]) {
                            best = c;
                        }
                        max = Math.max(max, values[r * k + c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        sum += Math.exp(values[r * k + c] - max);
                    }
                    lossSum += Math.log(sum) + max - values[r * k + y[from + r]];
                    if (best == y[from + r]) {
                        correct++;
                    }
                }
            }
        }
        return new double[] {correct / (double) ids.length, lossSum / ids.length};
    }

    private float[] hostValues(Tensor t) {
        try (Tensor h = backend.toHost(t)) {
            return h.toFloatArray();
        }
    }

    private int[][] encode(List<LabeledText> texts, Map<String, Integer> vocab) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            List<String> terms = MlpClassifier.terms(texts.get(i).text(), config.wordNgrams());
            int[] ids = new int[terms.size()];
            int n = 0;
            for (String w : terms) {
                Integer id = vocab.get(w);
                if (id != null) {
                    ids[n++] = id;
                }
            }
            out[i] = java.util.Arrays.copyOf(ids, n);
        }
        return out;
    }

    private static int[] labelsOf(List<LabeledText> texts, List<String> labels) {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            index.put(labels.get(c), c);
        }
        int[] y = new int[texts.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = index.get(texts.get(i).label());
        }
        return y;
    }

    /** Fisher-Yates with {@code random}, or the identity when null. */
    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        if (random != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int tmp = p[i];
                p[i] = p[j];
                p[j] = tmp;
            }
        }
        return p;
    }

    /** One mini-batch as host tensors: ids (N) I64, offsets (B) I64, targets (B) I64. */
    private record Batch(Tensor ids, Tensor offsets, Tensor targets) implements AutoCloseable {
        static Batch of(int[][] texts, int[] y, int[] order, int from, int to) {
            int b = to - from;
            long[] offsets = new long[b];
            long[] targets = new long[b];
            int n = 0;
            for (int i = 0; i < b; i++) {
                offsets[i] = n;
                targets[i] = y[order[from + i]];
                n += texts[order[from + i]].length;
            }
            long[] ids = new long[n];
            int pos = 0;
            for (int i = 0; i < b; i++) {
                for (int id : texts[order[from + i]]) {
                    ids[pos++] = id;
                }
            }
            return new Batch(Tensor.of(ids), Tensor.of(offsets), Tensor.of(targets));
        }

        @Override
        public void close() {
            ids.close();
            offsets.close();
            targets.close();
        }
    }
}
