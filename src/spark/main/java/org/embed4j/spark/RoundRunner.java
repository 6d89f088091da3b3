package org.embed4j.spark;

import java.lang.System.Logger.Level;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The driver's side of data-parallel training: epochs × slices sync rounds over a cached, partitioned corpus. Each
 * round broadcasts the weights, runs one {@link RoundTask} per partition, merges the rows the tasks changed as they
 * arrive ({@link RowMerge}: each task's result is folded in and dropped, so the driver never holds all of them),
 * and advances the learning-rate schedule by the round's words. Memory on the driver: the weights, one merge buffer
 * of the same shape, and the broadcast's serialised copy while a round runs.
 */
final class RoundRunner {
    private static final System.Logger LOG = System.getLogger(RoundRunner.class.getName());

    /** Makes the task of one round. */
    interface TaskFactory<E> {
        RoundTask<E> create(Broadcast<FloatRows[]> weights, RoundTask.Round round);
    }

    /** What the rounds did: words (or tokens) read, seconds, rounds, and the mean loss of the last round. */
    record Stats(long words, double seconds, int rounds, double lastLoss) {}

    private RoundRunner() {}

    /**
     * Runs the rounds, updating {@code weights} in place (each element is replaced by the merged matrix).
     * {@code sliceWords[p][k]}: words of slice k of partition p.
     */
    static <E> Stats run(
            JavaSparkContext jsc,
            JavaRDD<E> shards,
            long[][] sliceWords,
            int epochs,
            FloatRows[] weights,
            long seed,
            DataParallel.Merge mode,
            TaskFactory<E> tasks,
            String what) {
        int partitions = sliceWords.length;
        int slices = sliceWords[0].length;
        long[] perSlice = new long[slices];
        long epochWords = 0;
        for (long[] p : sliceWords) {
            for (int k = 0; k < slices; k++) {
                perSlice[k] += p[k];
                epochWords += p[k];
            }
        }
        long total = Math.max(1, epochWords * epochs);
        FloatRows[] buffers = new FloatRows[weights.length];
        for (int m = 0; m < weights.length; m++) {
            buffers[m] = weights[m].zerosLike();
        }
        ClassTag<ShardUpdate> tag = ClassTag$.MODULE$.apply(ShardUpdate.class);
        long start = System.nanoTime();
        long done = 0;
        double lastLoss = Double.NaN;
        int round = 0;
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < slices; k++, round++) {
                long roundStart = System.nanoTime();
                long[] words = new long[partitions];
                for (int p = 0; p < partitions; p++) {
                    words[p] = sliceWords[p][k];
                }
                var r = new RoundTask.Round(k, slices, done, perSlice[k], total, words, seed + 1_000_003L * round);
                Broadcast<FloatRows[]> bc = jsc.broadcast(weights.clone());
                RowMerge[] merges = new RowMerge[weights.length];
                for (int m = 0; m < weights.length; m++) {
                    merges[m] = new RowMerge(buffers[m], mode);
                }
                Merge merge = new Merge(merges);
                try {
                    jsc.sc().runJob(shards.rdd(), tasks.create(bc, r), merge, tag);
                } finally {
                    bc.destroy();
                }
                long changed = 0;
                for (int m = 0; m < weights.length; m++) {
                    changed += merges[m].finish(weights[m]);
                    FloatRows old = weights[m];
                    weights[m] = merges[m].merged();
                    buffers[m] = old;
                }
                done += perSlice[k];
                lastLoss = merge.pairs > 0 ? merge.loss / merge.pairs : Double.NaN;
                int shown = round + 1;
                double secs = (System.nanoTime() - roundStart) / 1e9;
                long changedRows = changed;
                LOG.log(
                        Level.INFO,
                        () -> String.format(
                                Locale.ROOT,
                                "%s: round %d/%d, %d words in %.1f s, %d rows changed, loss %.4f",
                                what,
                                shown,
                                epochs * slices,
                                merge.words,
                                secs,
                                changedRows,
                                merge.loss / Math.max(1, merge.pairs)));
            }
        }
        return new Stats(done, (System.nanoTime() - start) / 1e9, round, lastLoss);
    }

    /** Folds each task's result into the merges as it arrives (Spark calls it from one thread). */
    private static final class Merge extends AbstractFunction2<Object, ShardUpdate, BoxedUnit> {
        private final RowMerge[] merges;
        long words;
        double loss;
        long pairs;

        Merge(RowMerge[] merges) {
            this.merges = merges;
        }

        @Override
        public BoxedUnit apply(Object partition, ShardUpdate u) {
            for (int m = 0; m < merges.length; m++) {
                if (u.deltas()[m] != null) {
                    merges[m].add(u.deltas()[m]);
                }
            }
            words += u.words();
            loss += u.lossSum();
            pairs += u.pairs();
            return BoxedUnit.UNIT;
        }
    }
}
