package org.embed4j.serve;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads one request body into {@link BodyBytes} (segments, never one large array) without holding a thread while it
 * waits: each read takes what has arrived and asks Jetty to call back when more does ({@link Request#demand}), so a
 * client that sends its body slowly costs the bytes that came, not a thread. Enforces the body limit as bytes arrive (413, whether the length was
 * announced or the body is chunked), grows its reservation in the {@link MemoryBudget} with its buffer when the
 * length was not announced (503 when the budget is spent), and gives the whole body {@code timeout} to arrive
 * (408). Exactly one of the {@link Done} methods is called, once. The callbacks run on Jetty's threads.
 */
final class BodyReader implements Runnable {
    /** Where the body goes. */
    interface Done {
        void bodyRead(BodyBytes body);

        void bodyRefused(ApiException e);

        /** The client's stream failed (reset, closed): nobody is left to answer. */
        void bodyAborted(Throwable cause);
    }

    /** Reserves more request memory; false when the budget is spent. */
    interface Grow {
        boolean reserve(long bytes);
    }

    private final Request request;
    private final int max;
    private final Grow grow;
    private final Done done;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final long deadline;
    private final Scheduler scheduler;
    private final BodyBytes body;
    private final boolean lengthKnown; // its Content-Length, all reserved at admission
    private volatile Scheduler.Task timeout; // set when the reader first has to wait

    /**
     * @param announced the Content-Length, already reserved and at most {@code max}; -1 when chunked
     */
    private BodyReader(
            Request request, long announced, int max, Duration timeout, Scheduler scheduler, Grow grow, Done done) {
        this.request = request;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.scheduler = scheduler;
        this.max = max;
        this.grow = grow;
        this.done = done;
        this.body = BodyBytes.expecting(announced);
        this.lengthKnown = announced >= 0;
    }

    static void read(
            Request request, long announced, int max, Duration timeout, Scheduler scheduler, Grow grow, Done done) {
        new BodyReader(request, announced, max, timeout, scheduler, grow, done).run();
    }

    static long firstReservation(long announced) {
        return MemoryBudget.cost(announced >= 0 ? announced : BodyBytes.FIRST_GROWING);
    }

    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                if (timeout == null) {
                    // most bodies arrive with their head: the timer is only set for one that makes us wait
                    timeout = scheduler.schedule(this::expire, Math.max(0, deadline - System.nanoTime()), NANOSECONDS);
                }
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                if (finish()) {
                    done.bodyAborted(chunk.getFailure());
                }
                return;
            }
            ByteBuffer b = chunk.getByteBuffer();
            int r = b.remaining();
            if (r > max - body.length()) {
                chunk.release();
                if (finish()) {
                    done.bodyRefused(new ApiException(
                            413,
                            "body_too_large",
                            "the body is more than " + max + " bytes; this server accepts at most " + max
                                    + " bytes per request"));
                }
                return;
            }
            if (!ensure(body.length() + r)) {
                chunk.release();
                if (finish()) {
                    done.bodyRefused(MemoryBudget.overloaded());
                }
                return;
            }
            body.append(b);
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                if (finish()) {
                    done.bodyRead(body);
                }
                return;
            }
        }
    }

    /**
     * Reserves the memory of {@code size} bytes of body before they are appended: a body of known length reserved
     * all of it at admission; a chunked one grows its reservation with its segments.
     */
    private boolean ensure(int size) {
        if (lengthKnown) {
            return true;
        }
        long next = body.capacityFor(size);
        long reservedFor = Math.max(body.capacity(), BodyBytes.FIRST_GROWING);
        return next <= reservedFor || grow.reserve(MemoryBudget.cost(next - reservedFor));
    }

    private void expire() {
        if (finish()) {
            done.bodyRefused(
                    new ApiException(408, "body_timeout", "the request body did not arrive in time; send it at once"));
        }
    }

    private boolean finish() {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        Scheduler.Task t = timeout;
        if (t != null) {
            t.cancel();
        }
        return true;
    }
}
