package org.embed4j.spark;

import java.io.Serializable;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.Dictionary;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.TextFeatures;
import scala.Tuple2;

/**
 * Data-parallel training of the fastText-style classifier on Spark, the same way as {@link SparkWord2Vec}: words
 * and labels counted with reduceByKey into the {@link Dictionary} single-machine training builds (words with count
 * &ge; minCount, most frequent first, plus the end-of-line token; labels by frequency), broadcast; examples encoded
 * as input rows and label ids on the executors, repartitioned and cached; then per sync round each shard runs a
 * slice of one epoch ({@link FastTextTrainer#trainShard}, Hogwild over the task's threads) from the broadcast
 * matrices, the driver merges the rows they changed ({@link DataParallel.Merge}), and the learning rate decays
 * linearly over the whole run's tokens. The result is a {@link TextClassifier}, saved in the single-machine file
 * format.
 *
 * <p>The input matrix starts as single-machine training starts it (uniform in ±1/dim from the seed), the output
 * matrix at zero. Pretrained vectors are not supported here. The driver must hold about three copies of the two
 * matrices ({@link DriverMemory}). One {@link #fit} at a time per instance.
 */
public final class SparkTextClassifier {
    private static final System.Logger LOG = System.getLogger(SparkTextClassifier.class.getName());

    private final ClassifierOptions options;
    private final DataParallel parallel;

    /** What a run produced: the classifier and how the rounds went (tokens = input rows read). */
    public record Result(TextClassifier classifier, long tokens, double trainSeconds, int rounds, double finalLoss) {}

    /** {@code options}' thread count is replaced by {@code parallel}'s threads per task. */
    public SparkTextClassifier(ClassifierOptions options, DataParallel parallel) {
        this.options = Objects.requireNonNull(options, "options");
        this.parallel = Objects.requireNonNull(parallel, "parallel");
    }

    public Result fit(JavaRDD<LabeledDocument> examples) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(examples.context());
        int threads = parallel.threads(jsc.sc().conf().getInt("spark.task.cpus", 1));
        ClassifierOptions o = options.withThreads(threads);
        Dictionary dict = dictionary(examples, o);
        int dim = o.dim();
        DriverMemory.check(
                String.format(
                        Locale.ROOT,
                        "the input matrix %d x %d (%d words + %d n-gram buckets) and the output matrix %d x %d",
                        dict.inputRows(),
                        dim,
                        dict.words().size(),
                        dict.bucket(),
                        dict.labels().size(),
                        dim),
                ((long) dict.inputRows() + dict.labels().size()) * dim * Float.BYTES,
                Runtime.getRuntime().maxMemory());
        FastTextTrainer trainer = new FastTextTrainer(o);
        FloatRows[] weights = {
            FloatRows.wrap(trainer.initialInput(dict), dim),
            FloatRows.wrap(new float[dict.labels().size() * dim], dim)
        };
        Broadcast<Job> job = jsc.broadcast(new Job(RecordWire.of(o), dict));
        JavaRDD<Encoded> shards = examples.mapPartitions(it -> {
                    Dictionary d = job.value().dictionary();
                    List<Encoded> out = new ArrayList<>();
                    while (it.hasNext()) {
                        LabeledDocument e = it.next();
                        int[] rows = d.inputRows(e.text());
                        int[] labels = e.labels().stream().mapToInt(d::labelId).toArray();
                        if (rows.length > 0) {
                            out.add(new Encoded(rows, labels));
                        }
                    }
                    return out.iterator();
                })
                .repartition(parallel.partitions())
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long[][] sliceTokens = sliceTokens(shards, parallel.roundsPerEpoch());
            LOG.log(
                    Level.INFO,
                    String.format(
                            Locale.ROOT,
                            "spark classifier: %d words, %d labels, %d partitions x %d rounds per epoch, %d epochs",
                            dict.words().size(),
                            dict.labels().size(),
                            parallel.partitions(),
                            parallel.roundsPerEpoch(),
                            o.epoch()));
            RoundRunner.Stats s = RoundRunner.run(
                    jsc,
                    shards,
                    sliceTokens,
                    o.epoch(),
                    weights,
                    o.seed(),
                    parallel.merge(),
                    (w, round) -> new ClassifierTask(w, round, job),
                    "spark classifier");
            TextClassifier model = trainer.model(dict, weights[0].single(), weights[1].single());
            return new Result(model, s.words(), s.seconds(), s.rounds(), s.lastLoss());
        } finally {
            shards.unpersist(false);
            job.destroy();
        }
    }

    /** The dictionary {@code Dictionary.build} makes of the same examples, counted with reduceByKey. */
    private static Dictionary dictionary(JavaRDD<LabeledDocument> examples, ClassifierOptions o) {
        boolean lower = o.lowercase();
        int minCount = o.minCount();
        Map<String, Long> words = new HashMap<>(WordCounts.reduce(examples.mapPartitions(it -> {
                    WordCounts local = new WordCounts();
                    TextFeatures features = new TextFeatures(lower);
                    List<String> tokens = new ArrayList<>();
                    it.forEachRemaining(e -> {
                        tokens.clear();
                        features.tokens(e.text(), tokens);
                        tokens.forEach(local::add);
                        local.add(Dictionary.EOS);
                    });
                    return local.pairs();
                }))
                .filter(t -> t._2() >= minCount)
                .collectAsMap());
        JavaPairRDD<String, Long> labelPairs = examples.flatMapToPair(
                e -> e.labels().stream().map(l -> new Tuple2<>(l, 1L)).iterator());
        Map<String, Long> labels =
                new HashMap<>(labelPairs.reduceByKey(Long::sum).collectAsMap());
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        List<String> labelList = byCount(labels);
        long[] counts = labelList.stream().mapToLong(labels::get).toArray();
        return new Dictionary(
                byCount(words), labelList, counts, o.wordNgrams(), o.bucket(), o.lowercase(), o.minn(), o.maxn());
    }

    /** Most frequent first, ties by the natural string order (Dictionary.build's order). */
    private static List<String> byCount(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue(Collections.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.getKey()));
        return out;
    }

    private static long[][] sliceTokens(JavaRDD<Encoded> shards, int slices) {
        List<Tuple2<Integer, long[]>> parts = shards.mapPartitionsWithIndex(
                        (p, it) -> {
                            List<Encoded> all = new ArrayList<>();
                            it.forEachRemaining(all::add);
                            long[] tokens = new long[slices];
                            for (int k = 0; k < slices; k++) {
                                int from = (int) ((long) all.size() * k / slices);
                                int to = (int) ((long) all.size() * (k + 1) / slices);
                                for (Encoded e : all.subList(from, to)) {
                                    tokens[k] += e.rows().length;
                                }
                            }
                            return List.of(new Tuple2<>(p, tokens)).iterator();
                        },
                        true)
                .collect();
        long[][] out = new long[shards.getNumPartitions()][];
        for (Tuple2<Integer, long[]> t : parts) {
            out[t._1()] = t._2();
        }
        return out;
    }

    /** One example as the trainer reads it: input rows and label ids. */
    record Encoded(int[] rows, int[] labels) implements Serializable {}

    /** The run's broadcast: options (threads per task set) and the dictionary's words, labels and counts. */
    static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RecordWire<ClassifierOptions> options;
        private final List<String> words;
        private final List<String> labels;
        private final long[] labelCounts;
        private transient Dictionary dict;

        Job(RecordWire<ClassifierOptions> options, Dictionary dict) {
            this.options = options;
            this.words = new ArrayList<>(dict.words());
            this.labels = new ArrayList<>(dict.labels());
            this.labelCounts = dict.labelCounts();
        }

        ClassifierOptions options() {
            return options.get();
        }

        synchronized Dictionary dictionary() {
            if (dict == null) {
                ClassifierOptions o = options.get();
                dict = new Dictionary(
                        words, labels, labelCounts, o.wordNgrams(), o.bucket(), o.lowercase(), o.minn(), o.maxn());
            }
            return dict;
        }
    }

    /** One shard's round: copy the matrices, run the slice, send back the changed rows. */
    private static final class ClassifierTask extends RoundTask<Encoded> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Job> job;

        ClassifierTask(Broadcast<FloatRows[]> weights, Round round, Broadcast<Job> job) {
            super(weights, round);
            this.job = job;
        }

        @Override
        ShardUpdate train(List<Encoded> slice, FloatRows[] start, long before, double scale, long total, long seed) {
            Job j = job.value();
            Dictionary dict = ExecutorCache.get(job.id(), j::dictionary);
            float[] input = start[0].single().clone();
            float[] output = start[1].single().clone();
            int[][] rows = new int[slice.size()][];
            int[][] targets = new int[slice.size()][];
            long tokens = 0;
            for (int i = 0; i < rows.length; i++) {
                rows[i] = slice.get(i).rows();
                targets[i] = slice.get(i).labels();
                tokens += rows[i].length;
            }
            double loss = new FastTextTrainer(j.options())
                    .trainShard(
                            dict,
                            rows,
                            targets,
                            input,
                            output,
                            new FastTextTrainer.Progress(before, scale, total),
                            seed);
            RowDelta[] deltas = {
                RowDelta.changed(MemorySegment.ofArray(input), start[0]),
                RowDelta.changed(MemorySegment.ofArray(output), start[1])
            };
            return new ShardUpdate(deltas, tokens, loss, rows.length);
        }
    }
}
