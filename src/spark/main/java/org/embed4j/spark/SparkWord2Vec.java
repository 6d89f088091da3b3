package org.embed4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecShardTrainer;
import scala.Tuple2;

/**
 * Data-parallel word2vec on Spark: skip-gram or CBOW with negative sampling, subwords optional, with the native
 * kernel of single-machine training. The vocabulary is counted with reduceByKey (words below minCount dropped on
 * the executors) and broadcast; the corpus becomes sentences of word ids, repartitioned into
 * {@link DataParallel#partitions} shards, cut into the trainer's chunks and cached. Then per sync round every shard
 * trains a slice of itself from the broadcast weights ({@link Word2VecShardTrainer}: Hogwild over the task's
 * threads), sends back the rows it changed, and the driver merges them ({@link RowMerge}); the learning rate
 * decays linearly over the whole run's words, as on one machine. The result is the same kind of
 * {@link WordVectors} single-machine training gives, written in the same file formats.
 *
 * <p>Weights start as word2vec's (W_in from its LCG and the seed, W_out zero), so a run on one partition with one
 * thread and one round per epoch follows the single-machine run's schedule. The driver must hold about three
 * copies of W_in and W_out: a bigger model is refused before training, saying how big it is ({@link DriverMemory}).
 * One {@link #fit} at a time per instance.
 */
public final class SparkWord2Vec {
    private static final System.Logger LOG = System.getLogger(SparkWord2Vec.class.getName());

    private final Word2VecOptions options;
    private final DataParallel parallel;

    /** What a run produced: the vectors, the vocabulary with counts, and how the rounds went. */
    public record Result(
            WordVectors vectors,
            Vocabulary vocabulary,
            long words,
            double trainSeconds,
            double wordsPerSecond,
            int rounds,
            double finalLoss) {}

    /** {@code options} are validated here; their thread count is replaced by {@code parallel}'s threads per task. */
    public SparkWord2Vec(Word2VecOptions options, DataParallel parallel) {
        this.options = options.validate();
        this.parallel = Objects.requireNonNull(parallel, "parallel");
    }

    /** Trains on lines of text, tokenised as single-machine training tokenises a corpus file. */
    public Result fitText(JavaRDD<String> lines) {
        boolean lower = options.lowercase();
        return fit(lines.map(line -> new Tokenizer(lower).tokenize(line).toArray(String[]::new)));
    }

    /** Trains on sentences that are already tokens (lower-cased first when the options say so). */
    public Result fit(JavaRDD<String[]> sentences) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sentences.context());
        Vocabulary vocab = countVocabulary(sentences);
        int dim = options.dim();
        int threads = parallel.threads(jsc.sc().conf().getInt("spark.task.cpus", 1));
        Word2VecOptions o = options.withThreads(threads);
        long inRows = o.subwords() ? (long) vocab.size() + o.bucket() : vocab.size();
        if (inRows > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    inRows + " input rows (words + subword buckets) are more than one merge holds; lower bucket");
        }
        DriverMemory.check(
                String.format(
                        Locale.ROOT,
                        "W_in %d x %d and W_out %d x %d floats (%d words%s)",
                        inRows,
                        dim,
                        vocab.size(),
                        dim,
                        vocab.size(),
                        o.subwords() ? " + " + o.bucket() + " subword buckets" : ""),
                (inRows + vocab.size()) * dim * (long) Float.BYTES,
                Runtime.getRuntime().maxMemory());
        FloatRows[] weights = {new FloatRows(inRows, dim), new FloatRows(vocab.size(), dim)};
        try (Word2VecShardTrainer t = new Word2VecShardTrainer(o, vocab);
                Tensor wIn = t.initialInput()) {
            weights[0].copyFrom(wIn);
        }
        Broadcast<Job> job = jsc.broadcast(new Job(RecordWire.of(o), vocab));
        JavaRDD<int[]> chunks = shards(sentences, job);
        try {
            long[][] sliceWords = sliceWords(chunks, parallel.roundsPerEpoch());
            LOG.log(
                    Level.INFO,
                    String.format(
                            Locale.ROOT,
                            "spark word2vec: %d words, %d tokens per epoch, %d partitions x %d rounds per epoch, "
                                    + "%d epochs, %d threads per task",
                            vocab.size(),
                            vocab.totalCount(),
                            parallel.partitions(),
                            parallel.roundsPerEpoch(),
                            o.epochs(),
                            threads));
            RoundRunner.Stats s = RoundRunner.run(
                    jsc,
                    chunks,
                    sliceWords,
                    o.epochs(),
                    weights,
                    o.seed(),
                    parallel.merge(),
                    (w, round) -> new Word2VecTask(w, round, job),
                    "spark word2vec");
            WordVectors vectors;
            try (Word2VecShardTrainer t = new Word2VecShardTrainer(o, vocab);
                    Tensor wIn = Tensor.allocate(DType.F32, inRows, dim)) {
                weights[0].copyTo(wIn);
                weights[1] = null; // W_out is not part of the result: free it before the vectors are built
                vectors = t.vectors(wIn);
            }
            return new Result(
                    vectors,
                    vocab,
                    s.words(),
                    s.seconds(),
                    s.words() / Math.max(1e-9, s.seconds()),
                    s.rounds(),
                    s.lastLoss());
        } finally {
            chunks.unpersist(false);
            job.destroy();
        }
    }

    private Vocabulary countVocabulary(JavaRDD<String[]> sentences) {
        int minCount = options.minCount();
        boolean lower = options.lowercase();
        Map<String, Long> counts = new HashMap<>(WordCounts.reduce(sentences.mapPartitions(it -> {
                    WordCounts local = new WordCounts();
                    it.forEachRemaining(ts -> {
                        for (String w : ts) {
                            local.add(lower ? w.toLowerCase(Locale.ROOT) : w);
                        }
                    });
                    return local.pairs();
                }))
                .filter(t -> t._2() >= minCount)
                .collectAsMap());
        Vocabulary vocab =
                Vocabulary.of(counts, minCount, options.maxVocab() == 0 ? Integer.MAX_VALUE : options.maxVocab());
        if (vocab.size() < 2) {
            throw new IllegalArgumentException("the corpus has " + vocab.size() + " word(s) with count >= " + minCount
                    + "; need at least 2 (lower minCount or use a bigger corpus)");
        }
        return vocab;
    }

    /** Sentences as word ids (unknown words dropped), repartitioned, cut into chunks, cached. */
    private JavaRDD<int[]> shards(JavaRDD<String[]> sentences, Broadcast<Job> job) {
        boolean lower = options.lowercase();
        JavaRDD<int[]> ids = sentences.mapPartitions(it -> {
            Vocabulary v = job.value().vocabulary();
            List<int[]> out = new ArrayList<>();
            while (it.hasNext()) {
                int[] s = Arrays.stream(it.next())
                        .mapToInt(w -> v.id(lower ? w.toLowerCase(Locale.ROOT) : w))
                        .filter(i -> i >= 0)
                        .toArray();
                if (s.length > 0) {
                    out.add(s);
                }
            }
            return out.iterator();
        });
        JavaRDD<int[]> chunks = ids.repartition(parallel.partitions())
                .mapPartitions(it -> Word2VecShardTrainer.chunks(it).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK());
        return chunks;
    }

    /** Words (ids >= 0) of slice k of partition p, as {@link RoundTask} slices it. */
    static long[][] sliceWords(JavaRDD<int[]> chunks, int slices) {
        List<Tuple2<Integer, long[]>> parts = chunks.mapPartitionsWithIndex(
                        (p, it) -> {
                            List<int[]> all = new ArrayList<>();
                            it.forEachRemaining(all::add);
                            long[] words = new long[slices];
                            for (int k = 0; k < slices; k++) {
                                int from = (int) ((long) all.size() * k / slices);
                                int to = (int) ((long) all.size() * (k + 1) / slices);
                                for (int[] c : all.subList(from, to)) {
                                    for (int id : c) {
                                        words[k] += id >= 0 ? 1 : 0;
                                    }
                                }
                            }
                            return List.of(new Tuple2<>(p, words)).iterator();
                        },
                        true)
                .collect();
        long[][] out = new long[chunks.getNumPartitions()][];
        for (Tuple2<Integer, long[]> t : parts) {
            out[t._1()] = t._2();
        }
        return out;
    }

    /** The run's broadcast: options (threads per task set) and the vocabulary; executors build a trainer from it. */
    static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RecordWire<Word2VecOptions> options;
        private final String[] words;
        private final long[] counts;
        private transient Vocabulary vocab;

        Job(RecordWire<Word2VecOptions> options, Vocabulary vocab) {
            this.options = options;
            this.words = vocab.words().toArray(String[]::new);
            this.counts = vocab.counts();
        }

        synchronized Vocabulary vocabulary() {
            if (vocab == null) {
                Map<String, Long> m = HashMap.newHashMap(words.length);
                for (int i = 0; i < words.length; i++) {
                    m.put(words[i], counts[i]);
                }
                vocab = Vocabulary.of(m, 1, Math.max(1, words.length));
                if (!vocab.words().equals(Arrays.asList(words))) {
                    throw new IllegalStateException("the vocabulary rebuilt on an executor has another word order");
                }
            }
            return vocab;
        }

        Word2VecShardTrainer trainer() {
            return new Word2VecShardTrainer(options.get(), vocabulary());
        }
    }

    /** One shard's round: copy the weights into tensors, train the slice, send back the changed rows. */
    private static final class Word2VecTask extends RoundTask<int[]> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Job> job;

        Word2VecTask(Broadcast<FloatRows[]> weights, Round round, Broadcast<Job> job) {
            super(weights, round);
            this.job = job;
        }

        @Override
        ShardUpdate train(List<int[]> slice, FloatRows[] start, long before, double scale, long total, long seed) {
            Word2VecShardTrainer t =
                    ExecutorCache.get(job.id(), () -> job.value().trainer());
            int dim = start[0].dim();
            try (Tensor wIn = Tensor.allocate(DType.F32, start[0].rows(), dim);
                    Tensor wOut = Tensor.allocate(DType.F32, start[1].rows(), dim)) {
                start[0].copyTo(wIn);
                start[1].copyTo(wOut);
                var s = t.train(slice, wIn, wOut, new Word2VecShardTrainer.Progress(before, scale, total), seed);
                RowDelta[] deltas = {
                    RowDelta.changed(wIn.segment(), start[0]), RowDelta.changed(wOut.segment(), start[1])
                };
                return new ShardUpdate(deltas, s.words(), s.lossSum(), s.pairs());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
