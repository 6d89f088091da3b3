package org.embed4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One task of a sync round: takes its partition's cached shard (chunks of word ids, or encoded examples), keeps the
 * round's slice of it, and trains that slice from the round's broadcast weights ({@link #train}). The slice is the
 * {@code slice}-th of {@code slices} equal runs of the partition's elements, so an epoch is {@code slices} rounds.
 * The slice stands for {@code roundWords / sliceWords[p]} times its own words in the run's learning-rate schedule:
 * the shards run side by side, so the run advances by the whole round's words while each reads its own.
 *
 * @param <E> the element of the cached shard
 */
abstract class RoundTask<E> extends AbstractFunction2<TaskContext, Iterator<E>, ShardUpdate> implements Serializable {
    private static final long serialVersionUID = 1L;

    final Broadcast<FloatRows[]> weights;
    private final int slice;
    private final int slices;
    private final long before;
    private final long roundWords;
    private final long total;
    private final long[] sliceWords;
    private final long seed;

    RoundTask(Broadcast<FloatRows[]> weights, Round round) {
        this.weights = weights;
        this.slice = round.slice();
        this.slices = round.slices();
        this.before = round.before();
        this.roundWords = round.roundWords();
        this.total = round.total();
        this.sliceWords = round.sliceWords();
        this.seed = round.seed();
    }

    /** Where a round sits in the run: see {@link RoundTask}. */
    record Round(int slice, int slices, long before, long roundWords, long total, long[] sliceWords, long seed) {}

    @Override
    public ShardUpdate apply(TaskContext ctx, Iterator<E> it) {
        int p = ctx.partitionId();
        List<E> all = new ArrayList<>();
        while (it.hasNext()) {
            all.add(it.next());
        }
        List<E> mine = all.subList(
                (int) ((long) all.size() * slice / slices), (int) ((long) all.size() * (slice + 1) / slices));
        if (mine.isEmpty() || sliceWords[p] == 0) {
            return ShardUpdate.empty(weights.value().length);
        }
        double scale = roundWords / (double) sliceWords[p];
        return train(mine, weights.value(), before, scale, total, seed + 7919L * p);
    }

    /**
     * Trains {@code slice} from a copy of {@code start} (never written: on a local master it is the driver's own
     * object) and returns the rows that changed. After k of the slice's words the run has done
     * {@code before + k·scale} of its {@code total}.
     */
    abstract ShardUpdate train(List<E> slice, FloatRows[] start, long before, double scale, long total, long seed);
}
