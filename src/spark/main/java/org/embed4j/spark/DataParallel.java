package org.embed4j.spark;

import java.util.Locale;

/**
 * How a data-parallel training run is spread over the cluster: {@code partitions} shards of the corpus (one task
 * each per sync round), {@code roundsPerEpoch} sync rounds per epoch (each shard trains on a 1/roundsPerEpoch slice
 * of itself per round, from the weights the driver merged after the previous round), and {@code threadsPerTask}
 * Hogwild threads per task (0: spark.task.cpus, the cores Spark reserves for each task).
 *
 * <p>More rounds keep the shards' models closer together (quality holds as partitions grow) at the cost of one
 * broadcast of the weights and one merge per round. Immutable.
 */
public record DataParallel(int partitions, int roundsPerEpoch, int threadsPerTask) {
    /** Rounds per epoch unless set: enough that 8 shards stay within word2vec's single-machine quality. */
    public static final int DEFAULT_ROUNDS_PER_EPOCH = 4;

    public DataParallel {
        check(partitions >= 1 && partitions <= 100_000, "partitions", partitions, "in [1, 100000]");
        check(roundsPerEpoch >= 1 && roundsPerEpoch <= 10_000, "roundsPerEpoch", roundsPerEpoch, "in [1, 10000]");
        check(threadsPerTask >= 0 && threadsPerTask <= 1024, "threadsPerTask", threadsPerTask, "in [0, 1024]");
    }

    /** {@code partitions} shards, the default rounds per epoch, spark.task.cpus threads per task. */
    public static DataParallel of(int partitions) {
        return new DataParallel(partitions, DEFAULT_ROUNDS_PER_EPOCH, 0);
    }

    public DataParallel withRoundsPerEpoch(int v) {
        return new DataParallel(partitions, v, threadsPerTask);
    }

    public DataParallel withThreadsPerTask(int v) {
        return new DataParallel(partitions, roundsPerEpoch, v);
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
