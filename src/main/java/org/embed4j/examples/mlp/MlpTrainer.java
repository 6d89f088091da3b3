package org.embed4j.examples.mlp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import org.embed4j.backend.Backend;
import org.embed4j.nn.CrossEntropyLoss;
import org.embed4j.nn.Init;
import org.embed4j.optim.Adam;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Tokenizer;
import org.embed4j.train.ProgressReporter;

/**
 * Trains the seed article's classifier ({@link TextMlp}) end to end: lower-cased word tokens, a vocabulary of the
 * training words (minCount), mini-batches in a seeded shuffled order, softmax cross-entropy, Adam; then the
 * accuracy on the test texts (words unseen in training are dropped; a text with no known word is an empty bag,
 * i.e. the bias alone decides). Deterministic for a seed on a deterministic backend.
 *
 * <p>Not thread-safe; each call builds and closes its own model.
 */
public final class MlpTrainer {
    private static final System.Logger LOG = System.getLogger(MlpTrainer.class.getName());

    /** What a run produced. {@code epochLoss} is the mean training loss of each epoch. */
    public record Result(double testAccuracy, int correct, int tested, List<Double> epochLoss, int vocabSize,
                         List<String> labels, long trainMillis) {
    }

    private final Tokenizer tokenizer = new Tokenizer(true);
    private final MlpConfig config;
    private final Backend backend;
    private Map<String, Integer> vocab;
    private List<String> labels;

    public MlpTrainer(MlpConfig config, Backend backend) {
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** Trains on {@code train}, evaluates on {@code test}; {@code progress} shows a console bar on stderr. */
    public Result run(List<LabeledText> train, List<LabeledText> test, boolean progress) {
        Init.manualSeed(config.seed());
        buildVocabulary(train);
        int[][] trainIds = encode(train);
        int[] trainY = labelsOf(train);
        int[][] testIds = encode(test);
        int[] testY = labelsOf(test);
        long start = System.nanoTime();
        try (TextMlp model = new TextMlp(vocab.size(), config.dim(), config.hidden(), labels.size(), config.dropout(),
                backend); CrossEntropyLoss loss = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), backend);
             Adam opt = new Adam(model.parameters(), config.lr())) {
            List<Double> epochLoss = new ArrayList<>();
            Random shuffle = new Random(config.seed());
            int batches = (train.size() + config.batchSize() - 1) / config.batchSize();
            try (ProgressReporter bar = new ProgressReporter("train-mlp", (long) batches * config.epochs(), "batches",
                    progress)) {
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
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
                                throw new IllegalStateException("training diverged: loss " + l + " at epoch "
                                        + (epoch + 1) + ", batch " + (bi + 1) + "; lower --lr (now " + config.lr() + ")");
                            }
                            sum += l;
                            model.backward(loss.backward());
                            opt.step();
                        }
                        bar.update((long) epoch * batches + bi + 1,
                                String.format(java.util.Locale.ROOT, " epoch %d/%d loss %.4f", epoch + 1, config.epochs(), sum / (bi + 1)));
                    }
                    epochLoss.add(sum / batches);
                    LOG.log(System.Logger.Level.DEBUG, "epoch {0}: mean loss {1}", epoch + 1, sum / batches);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            int correct = evaluate(model, testIds, testY);
            return new Result(correct / (double) test.size(), correct, test.size(), List.copyOf(epochLoss), vocab.size(),
                    labels, millis);
        }
    }

    private int evaluate(TextMlp model, int[][] ids, int[] y) {
        model.eval();
        int[] all = permutation(ids.length, null);
        int correct = 0;
        for (int from = 0; from < ids.length; from += config.batchSize()) {
            int to = Math.min(ids.length, from + config.batchSize());
            try (Batch batch = Batch.of(ids, y, all, from, to)) {
                Tensor logits = model.forward(batch.ids, batch.offsets);
                float[] values = logits.device().isHost() ? logits.toFloatArray() : hostValues(logits);
                int k = labels.size();
                for (int r = 0; r < to - from; r++) {
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        if (values[r * k + c] > values[r * k + best]) {
                            best = c;
                        }
                    }
                    if (best == y[from + r]) {
                        correct++;
                    }
                }
            }
        }
        return correct;
    }

    private float[] hostValues(Tensor t) {
        try (Tensor h = backend.toHost(t)) {
            return h.toFloatArray();
        }
    }

    private void buildVocabulary(List<LabeledText> train) {
        Map<String, Integer> counts = new HashMap<>();
        for (LabeledText t : train) {
            for (String w : terms(t.text())) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        // Ordered by count, then alphabetically: the ids do not depend on HashMap iteration order.
        List<Map.Entry<String, Integer>> kept = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() >= config.minCount()) {
                kept.add(e);
            }
        }
        kept.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        vocab = new HashMap<>();
        for (Map.Entry<String, Integer> e : kept) {
            vocab.put(e.getKey(), vocab.size());
        }
        if (vocab.isEmpty()) {
            throw new IllegalArgumentException("the training texts have no word seen " + config.minCount() + "+ times");
        }
        TreeSet<String> names = new TreeSet<>();
        train.forEach(t -> names.add(t.label()));
        labels = List.copyOf(names);
    }

    private int[][] encode(List<LabeledText> texts) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            List<Integer> ids = new ArrayList<>();
            for (String w : terms(texts.get(i).text())) {
                Integer id = vocab.get(w);
                if (id != null) {
                    ids.add(id);
                }
            }
            out[i] = ids.stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** The words of a text, then (wordNgrams >= 2) its word n-grams up to that length, fastText's -wordNgrams. */
    private List<String> terms(String text) {
        List<String> words = tokenizer.tokenize(text);
        List<String> out = new ArrayList<>(words);
        for (int n = 2; n <= config.wordNgrams(); n++) {
            for (int i = 0; i + n <= words.size(); i++) {
                out.add(String.join(" ", words.subList(i, i + n)));
            }
        }
        return out;
    }

    private int[] labelsOf(List<LabeledText> texts) {
        int[] y = new int[texts.size()];
        for (int i = 0; i < y.length; i++) {
            int c = labels.indexOf(texts.get(i).label());
            if (c < 0) {
                throw new IllegalArgumentException("label '" + texts.get(i).label() + "' of text " + (i + 1)
                        + " does not occur in the training set " + labels);
            }
            y[i] = c;
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
