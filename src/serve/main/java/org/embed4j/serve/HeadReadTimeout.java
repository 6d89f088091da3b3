package org.embed4j.serve;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes an HTTP/1 connection whose request head takes longer than a timeout to arrive: from the connection's
 * opening to its first request, or from the first byte after a response to the next request. The connector's idle
 * timeout alone resets on every byte, so a client sending one byte every few seconds would keep a connection (and
 * its buffers) for as long as it liked. Idle keep-alive connections between requests (no byte since the last
 * response) are left to the idle timeout; requests being handled (their bodies are bounded by the body timeout) are
 * not watched. A sweep every quarter timeout checks the byte counters Jetty keeps per connection, so a head is cut
 * between one and 1.25 timeouts after it began. HTTP/2 connections (frames, not heads) are not watched.
 *
 * <p>Jetty calls {@link #onOpened}/{@link #onClosed} for every connection of the connector; the handler calls
 * {@link #requestStarted}/{@link #requestEnded}. Thread-safe.
 */
final class HeadReadTimeout implements Connection.Listener {
    private static final System.Logger LOG = System.getLogger(HeadReadTimeout.class.getName());

    /** One watched connection; fields are written by Jetty's threads and read by the sweep. */
    private static final class Watch {
        volatile boolean busy;
        volatile boolean served;
        volatile long boundaryBytes;
        volatile long since; // nanoTime when the head being read began, 0 = none

        Watch(long now) {
            since = now;
        }
    }

    private final long timeoutNanos;
    private final long periodMillis;
    private final ConcurrentHashMap<Connection, Watch> watched = new ConcurrentHashMap<>();
    private final LongAdder closed = new LongAdder();
    private volatile Scheduler scheduler;

    HeadReadTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.periodMillis = Math.clamp(timeout.toMillis() / 4, 10, 1000);
    }

    /** Starts the periodic sweep on {@code scheduler} (stopped with it). */
    void start(Scheduler scheduler) {
        this.scheduler = scheduler;
        scheduler.schedule(this::sweepAndReschedule, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        // HTTP/1 connections are the ones that are their own ConnectionMetaData (TLS and ALPN layers are not)
        if (connection instanceof ConnectionMetaData) {
            watched.put(connection, new Watch(System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        watched.remove(connection);
    }

    void requestStarted(Connection connection) {
        Watch w = watched.get(connection);
        if (w != null) {
            w.busy = true;
        }
    }

    void requestEnded(Connection connection) {
        Watch w = watched.get(connection);
        if (w != null) {
            w.boundaryBytes = connection.getBytesIn();
            w.since = 0;
            w.served = true;
            w.busy = false;
        }
    }

    /** Connections closed for a slow head so far. */
    long closed() {
        return closed.sum();
    }

    private void sweepAndReschedule() {
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "head timeout sweep failed", e);
        }
        Scheduler s = scheduler;
        if (s.isRunning()) {
            s.schedule(this::sweepAndReschedule, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    void sweep(long now) {
        watched.forEach((c, w) -> {
            if (w.busy) {
                return;
            }
            if (w.served && c.getBytesIn() == w.boundaryBytes) {
                w.since = 0; // idle between requests: the idle timeout's business
                return;
            }
            long since = w.since;
            if (since == 0) {
                w.since = now;
            } else if (now - since > timeoutNanos) {
                watched.remove(c);
                closed.increment();
                LOG.log(
                        Level.DEBUG,
                        () -> "closing " + c.getEndPoint().getRemoteSocketAddress() + ": request head "
                                + "not received within " + timeoutNanos / 1_000_000 + " ms");
                c.close();
            }
        });
    }
}
