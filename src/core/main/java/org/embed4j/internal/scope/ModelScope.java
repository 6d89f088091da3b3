package org.embed4j.internal.scope;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The lifetime of a closeable model (word vectors, quantized vectors, classifiers): the shared {@link Arena} that
 * owns its off-heap memory (copies and file mappings), the calls in flight on it, and what else its close releases
 * (device copies). Every public method of such a model runs between {@link #enter()} and {@link #exit()}.
 *
 * <p>{@link #close()}, in this order:
 * <ol>
 *   <li>refuses new calls: {@link #enter()} throws {@link IllegalStateException} ("... is closed") from then on;</li>
 *   <li>waits for the calls in flight to return: they finish normally, on memory that is still there;</li>
 *   <li>runs the release actions and closes the arena, which unmaps the files and frees the copies at once. FFM
 *       refuses to close a shared arena while a native downcall holds one of its segments ("Session is acquired
 *       by N clients"): such a close is retried until the downcall has returned.</li>
 * </ol>
 * A scope that is never closed is released by a {@link Cleaner} once unreachable, as an automatic arena would be.
 * Because every access runs between {@code enter} and {@code exit}, which both use the scope, the scope stays
 * reachable for as long as any call runs: the Cleaner never frees memory under a reader.
 *
 * <p>The count of calls in flight is striped: a thread counts in the stripe of its thread id, each stripe on its
 * own cache line, so that threads on different cores do not contend on one counter. The array's first
 * {@code PAD} longs hold no stripe: element 0 shares a cache line with the array's header, which every access reads
 * for its bounds check, so a counter there would have each of its writes take that line from every other thread.
 * {@code enter} increments its stripe and then reads the closed flag; {@code close} sets the flag and then reads the
 * stripes. Both are volatile (sequentially consistent) accesses, so a call either sees the flag and backs out, or is
 * seen by the close. Each thread decrements the stripe it incremented, so a stripe never drops below the calls in
 * flight on it.
 *
 * <p>A {@link #view} shares its parent's memory: its calls count in the parent, and closing the view only
 * refuses the view's new calls. Closing a scope from inside one of its own calls would wait for itself: models
 * never do that. Thread-safe.
 */
public final class ModelScope implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelScope.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int PAD = 16; // longs per stripe: 128 bytes, two cache lines
    private static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());
    private static final long WARN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String what;
    private final ModelScope parent; // views only
    private final AtomicLongArray inFlight; // null for views
    private final Release release; // null for views
    private final Cleaner.Cleanable cleanable; // null for views
    private volatile boolean closed;

    private ModelScope(String what, ModelScope parent, Arena arena) {
        this.what = Objects.requireNonNull(what, "what");
        this.parent = parent;
        if (parent == null) {
            this.inFlight = new AtomicLongArray((STRIPES + 1) * PAD);
            this.release = new Release(arena, what);
            this.cleanable = CLEANER.register(this, release);
        } else {
            this.inFlight = null;
            this.release = null;
            this.cleanable = null;
        }
    }

    /** A scope whose memory lives in a new shared arena ({@link #arena()}); {@code what} names it in messages. */
    @SuppressWarnings("MustBeClosedChecker") // the arena is handed to the scope, whose close frees it
    public static ModelScope open(String what) {
        return new ModelScope(what, null, Arena.ofShared());
    }

    /** A scope for a model whose data lives on the Java heap: closing it only refuses new calls. */
    public static ModelScope onHeap(String what) {
        return new ModelScope(what, null, null);
    }

    /** A scope that shares this one's memory (a model built on another one's rows); see the class comment. */
    public ModelScope view(String viewWhat) {
        return new ModelScope(viewWhat, this, null);
    }

    /** The arena to allocate and map this model's memory in. */
    public Arena arena() {
        if (parent != null) {
            return parent.arena();
        }
        if (release.arena == null) {
            throw new IllegalStateException(what + " keeps its data on the Java heap: it has no arena");
        }
        return release.arena;
    }

    /** Starts a call: {@link IllegalStateException} when the scope (or a view's parent) is closed. */
    public void enter() {
        if (parent != null) {
            if (closed) {
                throw closedException();
            }
            parent.enter();
            return;
        }
        int stripe = stripe();
        inFlight.getAndIncrement(stripe);
        if (closed) {
            inFlight.getAndDecrement(stripe);
            throw closedException();
        }
    }

    /** Ends a call begun by {@link #enter()} on the same thread. */
    public void exit() {
        if (parent != null) {
            parent.exit();
        } else {
            inFlight.getAndDecrement(stripe());
        }
    }

    /** Throws {@link IllegalStateException} when closed, without starting a call. */
    public void checkOpen() {
        if (isClosed()) {
            throw closedException();
        }
    }

    public boolean isClosed() {
        return closed || (parent != null && parent.isClosed());
    }

    /**
     * Runs {@code action} once when this scope is closed (or becomes unreachable); at once when it already was.
     * The action must not reach the model, or the model would never become unreachable.
     */
    public void onClose(Runnable action) {
        Objects.requireNonNull(action, "action");
        if (parent != null) {
            parent.onClose(action);
        } else if (!release.add(action)) {
            action.run();
        }
    }

    /**
     * Refuses new calls, waits for those in flight, then frees the memory (see the class comment). Idempotent;
     * a second close while the first waits returns at once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (parent != null) {
            return;
        }
        Backoff backoff = new Backoff(what, "calls in flight to return");
        while (callsInFlight() > 0) {
            backoff.pause();
        }
        backoff.done();
        cleanable.clean();
    }

    private long callsInFlight() {
        long sum = 0;
        for (int s = 0; s < STRIPES; s++) {
            sum += inFlight.get(slot(s));
        }
        return sum;
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(what + " is closed");
    }

    private static int stripe() {
        return slot((int) (Thread.currentThread().threadId() & (STRIPES - 1)));
    }

    /** The index of stripe {@code s}'s counter: past the first {@code PAD} longs (see the class comment). */
    private static int slot(int s) {
        return (s + 1) * PAD;
    }

    /** A power of two, about twice the processors, at most 64. */
    static int stripes(int processors) {
        int want = Math.max(2, Math.min(64, 2 * processors));
        return Integer.highestOneBit(want - 1) << 1;
    }

    @Override
    public String toString() {
        return "ModelScope(" + what + (isClosed() ? ", closed" : "") + ")";
    }

    /** What a close frees; reaches the arena and the actions, never the scope or the model. */
    private static final class Release implements Runnable {
        private final Arena arena; // null: heap data
        private final String what;
        private final List<Runnable> actions = new ArrayList<>();
        private boolean released;

        Release(Arena arena, String what) {
            this.arena = arena;
            this.what = what;
        }

        /** False when the release already ran (the caller runs the action itself). */
        synchronized boolean add(Runnable action) {
            if (released) {
                return false;
            }
            actions.add(action);
            return true;
        }

        @Override
        public void run() {
            List<Runnable> toRun;
            synchronized (this) {
                released = true;
                toRun = List.copyOf(actions);
                actions.clear();
            }
            for (Runnable action : toRun) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "releasing " + what + ": " + e.getMessage(), e);
                }
            }
            if (arena != null) {
                closeArena(arena, what);
            }
        }
    }

    /**
     * Closes a shared arena, retrying while a downcall still holds one of its segments (the only reason a live
     * shared arena refuses to close).
     */
    static void closeArena(Arena arena, String what) {
        Backoff backoff = new Backoff(what, "native calls to release its memory");
        while (true) {
            try {
                arena.close();
                backoff.done();
                return;
            } catch (IllegalStateException e) {
                if (!arena.scope().isAlive()) {
                    backoff.done();
                    return; // closed by someone else meanwhile
                }
                backoff.pause();
            }
        }
    }

    /** Waits with growing pauses (up to 10 ms) and says once, after 10 s, that it is still waiting. */
    private static final class Backoff {
        private final String what;
        private final String waitingFor;
        private final long start = System.nanoTime();
        private long pauseNanos = 10_000;
        private boolean warned;
        private boolean interrupted;

        Backoff(String what, String waitingFor) {
            this.what = what;
            this.waitingFor = waitingFor;
        }

        void pause() {
            LockSupport.parkNanos(pauseNanos);
            interrupted |= Thread.interrupted(); // keep waiting: giving up would leak the memory
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
            if (!warned && System.nanoTime() - start > WARN_AFTER_NANOS) {
                warned = true;
                LOG.log(Level.WARNING, "closing " + what + ": still waiting for " + waitingFor);
            }
        }

        void done() {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
