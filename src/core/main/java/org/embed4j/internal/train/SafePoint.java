package org.embed4j.internal.train;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where worker threads that update shared weights without locks (Hogwild) stop together, so that a checkpoint copies
 * weights no thread is writing and positions every thread has reached. Each of the parties either {@link #arrive}s
 * (and waits) or {@link #leave}s (its work is over, or it failed); once every remaining party has arrived, the thread
 * that completed the count runs the action with all the others stopped, then everyone goes on. Parties learn that a
 * stop is wanted from their work queue or by polling {@link #requested()}.
 *
 * <p>An action that throws breaks the point: every party it held (and every later arrival) gets the same {@link
 * UncheckedIOException}, and the action never runs again. {@link #breakAll} does the same without an exception, for a
 * party that failed: the others stop waiting and check their own stop condition. Thread-safe; memory written by a
 * party before it arrives is visible to the action, and the action's writes to every party after it returns.
 */
public final class SafePoint {
    /** What runs while every party is stopped. */
    @FunctionalInterface
    public interface Action {
        void run() throws IOException;
    }

    private final Action action;
    private int parties;
    private int arrived;
    private long round;
    private boolean broken;
    private UncheckedIOException failure;
    private volatile boolean requested;

    public SafePoint(int parties, Action action) {
        if (parties < 1) {
            throw new IllegalArgumentException("a safe point needs at least one party, got " + parties);
        }
        this.parties = parties;
        this.action = action;
    }

    /** Asks the parties that poll {@link #requested()} to arrive. */
    public void request() {
        requested = true;
    }

    /** Whether a stop was requested and has not happened yet (a volatile read). */
    public boolean requested() {
        return requested;
    }

    /** Whether the point is broken: arrivals return at once and the action never runs. */
    public synchronized boolean broken() {
        return broken;
    }

    /**
     * Waits until every remaining party has arrived and the action has run (this thread runs it when it arrives
     * last), or the point breaks. Throws the action's failure as an {@link UncheckedIOException}.
     */
    public synchronized void arrive() throws InterruptedException {
        if (!broken) {
            long mine = round;
            arrived++;
            if (arrived == parties) {
                complete();
            } else {
                while (round == mine && !broken) {
                    wait();
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** This party is done: it no longer counts, and if every other one is waiting, this thread runs the action. */
    public synchronized void leave() {
        parties--;
        if (!broken && arrived > 0 && arrived == parties) {
            complete();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** A party failed: release the waiting ones, run the action no more. */
    public synchronized void breakAll() {
        broken = true;
        notifyAll();
    }

    private void complete() {
        try {
            action.run();
        } catch (IOException e) {
            failure = new UncheckedIOException(e);
            broken = true;
        } catch (RuntimeException | Error e) {
            broken = true;
            notifyAll();
            throw e;
        }
        arrived = 0;
        requested = false;
        round++;
        notifyAll();
    }
}
