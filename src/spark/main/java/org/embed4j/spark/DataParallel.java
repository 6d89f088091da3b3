package org.embed4j.spark;

import java.util.Locale;

/**
 * How a data-parallel training run is spread over the cluster: {@code partitions} shards of the corpus (one task
 * each per sync round), {@code roundsPerEpoch} sync rounds per epoch (each shard trains on a 1/roundsPerEpoch slice
 * of itself per round, from the weights the driver merged after the previous round), and {@code threadsPerTask}
 * Hogwild threads per task (0: spark.task.cpus, the cores Spark reserves for each task), and how the driver
 * merges the rows the shards changed ({@link Merge}).
 *
 * <p>More rounds keep the shards' models closer together (quality holds as partitions grow) at the cost of one
 * broadcast of the weights and one merge per round. Immutable.
 */
public record DataParallel(int partitions, int roundsPerEpoch, int threadsPerTask, Merge merge) {
    /** How a row that several shards changed in a round is merged (see {@link RowMerge}). */
    public enum Merge {
        /** The mean of the shards' values (MLlib's merge). */
        AVERAGE,
        /** The round's value plus every shard's change (Hogwild's, across shards). */
        SUM;

        /** "average" or "sum", any case. */
        public static Merge parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "average" -> AVERAGE;
                case "sum" -> SUM;
                default -> throw new IllegalArgumentException("merge must be average or sum, got " + s);
            };
        }
    }

    /**
     * The merge unless set: {@link Merge#AVERAGE}, stable at any number of shards. Averaging divides the step of every
     * row that several shards train (the frequent words) by their number, so it loses quality: on 10M tokens with 2
     * shards, 0.11 WordSim-353 and 7 analogy points against single-machine training. {@link Merge#SUM} with 32 rounds
     * per epoch matched single-machine training there (WordSim-353 within 0.01, analogies within 1 point), but with 4
     * or 8 shards its summed steps overshoot and training diverges (docs/spark.md): use it with 2 shards.
     */
    public static final Merge DEFAULT_MERGE = Merge.AVERAGE;

    /**
     * Rounds per epoch unless set. With {@link Merge#SUM}, more rounds matter: on 10M tokens with 2 shards, 32 rounds
     * gave single-machine quality, 16 lost 0.03 WordSim-353 and 4 lost 5 analogy points (docs/spark.md).
     */
    public static final int DEFAULT_ROUNDS_PER_EPOCH = 4;

    public DataParallel {
        check(partitions >= 1 && partitions <= 100_000, "partitions", partitions, "in [1, 100000]");
        check(roundsPerEpoch >= 1 && roundsPerEpoch <= 10_000, "roundsPerEpoch", roundsPerEpoch, "in [1, 10000]");
        check(threadsPerTask >= 0 && threadsPerTask <= 1024, "threadsPerTask", threadsPerTask, "in [0, 1024]");
        if (merge == null) {
            throw new IllegalArgumentException("merge must be AVERAGE or SUM, got null");
        }
    }

    /** With the default merge. */
    public DataParallel(int partitions, int roundsPerEpoch, int threadsPerTask) {
        this(partitions, roundsPerEpoch, threadsPerTask, DEFAULT_MERGE);
    }

    /** {@code partitions} shards, the default rounds per epoch, spark.task.cpus threads per task. */
    public static DataParallel of(int partitions) {
        return new DataParallel(partitions, DEFAULT_ROUNDS_PER_EPOCH, 0);
    }

    public DataParallel withRoundsPerEpoch(int v) {
        return new DataParallel(partitions, v, threadsPerTask, merge);
    }

    public DataParallel withThreadsPerTask(int v) {
        return new DataParallel(partitions, roundsPerEpoch, v, merge);
    }

    public DataParallel withMerge(Merge v) {
        return new DataParallel(partitions, roundsPerEpoch, threadsPerTask, v);
    }

    /** The threads per task: {@link #threadsPerTask}, or spark.task.cpus ({@code taskCpus}) when it is 0. */
    int threads(int taskCpus) {
        return threadsPerTask > 0 ? threadsPerTask : Math.max(1, taskCpus);
    }

    private static void check(boolean ok, String name, int value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be %s, got %d", name, rule, value));
        }
    }
}
