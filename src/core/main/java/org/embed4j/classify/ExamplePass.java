package org.embed4j.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One epoch of the fastText-style classifier's training: per-example SGD steps ({@link Supervised}) over a shuffled
 * order of the examples, cut into contiguous parts that run as Hogwild threads on the shared matrices (no locks, on
 * purpose: rare collisions on hot rows cost less than any locking), or inline for one part. Part t draws from its own
 * seeded random source; the learning rate falls linearly with the run's token count ({@link FastTextTrainer.Progress}).
 * A part can start mid-way (a resumed run): it first replays the random draws of the examples before its start, so it
 * goes on drawing as the uninterrupted part would. With a {@link ClassifierCheckpointer.Parts} the parts stop together
 * at example boundaries for mid-epoch checkpoints. The loss's label tree or negative sampler and the frozen rows are
 * shared read-only. One instance per trainer; {@link #run} is called by one thread at a time.
 */
final class ExamplePass {
    private static final long PROGRESS_FLUSH = 10_000;

    private final ClassifierOptions options;
    private final boolean[] frozen;
    private final HuffmanTree tree;
    private final NegativeLabels negatives;

    /** {@code frozen} (rows kept fixed), {@code tree} (hs loss) and {@code negatives} (ns loss) may be null. */
    ExamplePass(ClassifierOptions options, boolean[] frozen, HuffmanTree tree, NegativeLabels negatives) {
        this.options = options;
        this.frozen = frozen;
        this.tree = tree;
        this.negatives = negatives;
    }

    /**
     * An epoch's order cut into {@code count()} contiguous parts, part t from {@code starts[t]} (where it begins, or
     * where a resumed run goes on) with {@code losses[t]} already summed.
     */
    record Parts(long[] starts, double[] losses) {
        static Parts fresh(int examples, int count) {
            long[] starts = new long[count];
            for (int t = 0; t < count; t++) {
                starts[t] = begin(examples, t, count);
            }
            return new Parts(starts, new double[count]);
        }

        static Parts resumed(int examples, long[] positions, double[] losses) {
            int count = positions.length;
            for (int t = 0; t < count; t++) {
                if (positions[t] < begin(examples, t, count) || positions[t] > begin(examples, t + 1, count)) {
                    throw new IllegalArgumentException("the checkpoint's part " + t + " of " + count + " stopped at"
                            + " example " + positions[t] + ", outside its range [" + begin(examples, t, count) + ", "
                            + begin(examples, t + 1, count) + "]");
                }
            }
            return new Parts(positions.clone(), losses.clone());
        }

        int count() {
            return starts.length;
        }

        /** Where part t of {@code count} begins in an order of {@code examples}. */
        static int begin(int examples, int t, int count) {
            return (int) ((long) examples * t / count);
        }
    }

    /**
     * One pass over {@code order}, split into the contiguous {@code parts} (Hogwild on {@code pool}, one thread per
     * part, or inline without one); part t draws from seed {@code seedBase + 7919·t}. With {@code stops}, the parts
     * stop together for mid-epoch checkpoints. Returns the summed loss.
     */
    double run(
            int[][] rows,
            int[][] targets,
            int[] order,
            float[] input,
            float[] output,
            int dim,
            AtomicLong processed,
            FastTextTrainer.Progress progress,
            long seedBase,
            Parts parts,
            ExecutorService pool,
            ClassifierCheckpointer.Parts stops) {
        int count = parts.count();
        double[] lossSums = new double[count];
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            final Span span = new Span(
                    t,
                    Parts.begin(rows.length, t, count),
                    (int) parts.starts()[t],
                    Parts.begin(rows.length, t + 1, count),
                    parts.losses()[t]);
            final long seed = seedBase + 7919L * t;
            Runnable work = () -> lossSums[span.part()] =
                    runShard(rows, targets, order, span, input, output, dim, processed, progress, seed, stops);
            if (pool == null) {
                work.run();
            } else {
                futures.add(pool.submit(work));
            }
        }
        join(futures);
        double loss = 0;
        for (double l : lossSums) {
            loss += l;
        }
        return loss;
    }

    /**
     * Part {@code span.part()} of an epoch: examples {@code order[span.from() .. span.to())}, from {@code span.start()}
     * on (a resumed run first replays the random draws of the examples before it, so the rest draws as it would have).
     */
    private record Span(int part, int from, int start, int to, double loss) {}

    private double runShard(
            int[][] rows,
            int[][] targets,
            int[] order,
            Span span,
            float[] input,
            float[] output,
            int dim,
            AtomicLong processed,
            FastTextTrainer.Progress progress,
            long seed,
            ClassifierCheckpointer.Parts stops) {
        double[] hidden = new double[dim];
        double[] grad = new double[dim];
        float[] probs = new float[output.length / dim];
        int[] drawn = new int[options.neg()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = span.from(); i < span.start(); i++) {
            drawForExample(targets[order[i]], rng, drawn);
        }
        double loss = span.loss();
        // The shared token count is updated every PROGRESS_FLUSH tokens, not per example: one contended cache line
        // written by every thread per example cost a quarter more CPU with 2 threads. With one thread, base + local
        // is the exact count, so the learning rates (and the model) are what a per-example update gives.
        long base = processed.get();
        long local = 0;
        try {
            for (int i = span.start(); i < span.to(); i++) {
                if (stops != null && stops.due(base + local)) {
                    processed.addAndGet(local); // the checkpoint's clock counts every token trained
                    local = 0;
                    if (!stops.pause(span.part(), i, loss)) {
                        return loss; // another part failed: its exception is what the run reports
                    }
                    base = processed.get();
                }
                int ex = order[i];
                int[] r = rows[ex];
                int[] ts = targets[ex];
                float done = Math.min(1f, (float) progress.global(base + local) / progress.total());
                local += r.length;
                if (local >= PROGRESS_FLUSH) {
                    base = processed.addAndGet(local);
                    local = 0;
                    if (stops != null) {
                        stops.checkTime(base);
                    }
                }
                float lr = options.lr() * (1f - done);
                loss += step(input, output, dim, r, ts, lr, hidden, grad, probs, drawn, rng);
            }
            processed.addAndGet(local);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (stops != null) {
                stops.failed();
            }
            throw new IllegalStateException("training interrupted", e);
        } catch (RuntimeException | Error e) {
            if (stops != null) {
                stops.failed();
            }
            throw e;
        }
        if (stops != null) {
            stops.finished(span.part(), span.to(), loss);
        }
        return loss;
    }

    /** One example's update with the options' loss; returns its loss. */
    private double step(
            float[] input,
            float[] output,
            int dim,
            int[] r,
            int[] ts,
            float lr,
            double[] hidden,
            double[] grad,
            float[] probs,
            int[] drawn,
            SplittableRandom rng) {
        if (options.loss() == ClassifierLoss.OVA) {
            return Supervised.stepOva(input, output, dim, r, ts, lr, hidden, grad, probs, frozen);
        }
        int target = drawTarget(ts, rng);
        return switch (options.loss()) {
            case HS ->
                Supervised.stepHs(
                        input, output, dim, r, tree.path(target), tree.code(target), lr, hidden, grad, frozen);
            case NS ->
                Supervised.stepNs(
                        input,
                        output,
                        dim,
                        r,
                        target,
                        drawn,
                        negatives.draw(target, rng, drawn),
                        lr,
                        hidden,
                        grad,
                        frozen);
            default -> Supervised.step(input, output, dim, r, target, lr, hidden, grad, probs, frozen);
        };
    }

    /** The random draws {@link #step} makes for an example with labels {@code ts}, without the update. */
    private void drawForExample(int[] ts, SplittableRandom rng, int[] drawn) {
        if (options.loss() == ClassifierLoss.OVA) {
            return;
        }
        int target = drawTarget(ts, rng);
        if (options.loss() == ClassifierLoss.NS) {
            negatives.draw(target, rng, drawn);
        }
    }

    /** fastText: one label per update, drawn when the example has several. */
    private static int drawTarget(int[] ts, SplittableRandom rng) {
        return ts.length == 1 ? ts[0] : ts[rng.nextInt(ts.length)];
    }

    private static void join(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("training interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("training worker failed: " + cause, cause);
            }
        }
    }
}
