package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service's HTTP/1.1 server: one platform thread per connection doing plain blocking reads and writes
 * ({@link Http1Connection}), keep-alive and pipelining, Content-Length and chunked request bodies, and the
 * limits a listener open to clients needs ({@link Limits}: head size, header count, idle / request / response
 * time, connection count). A reaper thread closes connections past their deadline, which also bounds a
 * write to a client that stops reading.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: on 2 cores it spent about 40 µs of CPU per small
 * request, 40% of it in the kernel (selector re-registration and a dispatcher-to-executor hand-off per
 * request), and allocated about 40 KB per request (fresh buffers and header maps). Here a connection keeps
 * its buffers and its thread: about 20 µs per request.
 *
 * <p>Why platform threads, not virtual ones: requests are CPU work (a 32-text classify takes ~200 µs, a
 * nearest-neighbour search milliseconds), and a virtual thread keeps its carrier until it blocks, so on 2
 * carriers one long request holds up every connection queued behind it. Measured with wrk on 2 cores, the p99
 * was 2-4 times lower on platform threads (classify batch 1: 2.4 ms against 5 ms; batch 32: 6 ms against
 * 26 ms), where the kernel time-slices the busy threads, at the same throughput. The price is a thread per open
 * connection, hence the connection limit.
 *
 * <p>{@link #close} stops accepting, closes idle connections, lets requests in flight finish (their responses
 * say {@code Connection: close}) for up to a grace period, then closes what is left. Thread-safe.
 */
final class Http1Server {
    private static final System.Logger LOG = System.getLogger(Http1Server.class.getName());

    /** What the server calls for every request; it runs on the connection's thread. */
    interface Handler {
        /** The response to {@code request}; failures are responses too (this must not throw). */
        Http1Response handle(Http1Request request);

        /** Once per handled request, after its response was written (or could not be). */
        void completed(Http1Request request, int status, long nanos);
    }

    /**
     * @param maxHeadBytes    request line and headers together; a longer request line is a 414, a longer head a 431
     * @param maxHeaders      header lines per request (431 beyond)
     * @param idleTimeout     how long a keep-alive connection may wait for its next request
     * @param requestTimeout  from the first byte of a request to the handler's answer: head, body, and handling
     *                        (a client sending slowly cannot hold a thread longer)
     * @param responseTimeout for writing a response to the client
     * @param maxConnections  open connections (each holds a thread); one more is answered 503 and closed
     *                        ({@link #MAX_REFUSING} such refusals at a time; beyond, closed unanswered)
     * @param maxSkippedBody  a body the handler did not read (an early 404, 401) is skipped to keep the
     *                        connection when at most this long; a longer one closes the connection
     */
    record Limits(
            int maxHeadBytes,
            int maxHeaders,
            Duration idleTimeout,
            Duration requestTimeout,
            Duration responseTimeout,
            int maxConnections,
            long maxSkippedBody) {
        static final Limits DEFAULTS = new Limits(
                16 * 1024,
                100,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                1024,
                64 * 1024);

        Limits {
            if (maxHeadBytes < 256 || maxHeaders < 1 || maxConnections < 1 || maxSkippedBody < 0) {
                throw new IllegalArgumentException(
                        "bad HTTP limits: maxHeadBytes " + maxHeadBytes + " (>= 256), maxHeaders "
                                + maxHeaders + " (>= 1), maxConnections " + maxConnections + " (>= 1), maxSkippedBody "
                                + maxSkippedBody + " (>= 0)");
            }
            for (Duration d : new Duration[] {idleTimeout, requestTimeout, responseTimeout}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("HTTP timeouts must be > 0, got " + d);
                }
            }
        }
    }

    private static final Duration REAPER_PERIOD = Duration.ofMillis(100);
    /**
     * Connections past the limit being refused at once: each refusal holds a thread while it lingers, so a
     * flood of connections past the limit must not start a thread each. Beyond this they close unanswered.
     */
    static final int MAX_REFUSING = 32;

    private final ServerSocket listener;
    private final Handler handler;
    private final Limits limits;
    private final Http1Head head;
    private final ExecutorService connectionThreads = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().daemon().name("embed4j-http-", 0).factory());
    private final Set<Http1Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusing = new AtomicInteger();
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean draining;

    private Http1Server(ServerSocket listener, Handler handler, Limits limits) {
        this.listener = listener;
        this.handler = handler;
        this.limits = limits;
        this.head = new Http1Head(limits);
        this.acceptor = Thread.ofPlatform().daemon().name("embed4j-http-accept").unstarted(this::acceptLoop);
        this.reaper = Thread.ofPlatform().daemon().name("embed4j-http-reaper").unstarted(this::reapLoop);
    }

    /** Binds {@code address} (backlog 1024) and starts accepting. */
    static Http1Server start(InetSocketAddress address, Handler handler, Limits limits) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(address, 1024);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        Http1Server s = new Http1Server(listener, handler, limits);
        s.acceptor.start();
        s.reaper.start();
        return s;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    Handler handler() {
        return handler;
    }

    Limits limits() {
        return limits;
    }

    Http1Head head() {
        return head;
    }

    /** True once {@link #close} began: connections finish their request and close. */
    boolean draining() {
        return draining;
    }

    void removed(Http1Connection c) {
        connections.remove(c);
    }

    /** Idempotent; see the class comment. Returns after at most {@code grace} plus about a second. */
    synchronized void close(Duration grace) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the listener: " + e.getMessage());
        }
        connections.forEach(Http1Connection::closeIfIdle);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(Http1Connection::abort);
        reaper.interrupt();
        connectionThreads.shutdownNow();
        try {
            if (!connectionThreads.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "some connection threads were still running after shutdown");
            }
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!draining) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!draining) {
                    // out of file descriptors, say: keep serving the open connections and retry shortly
                    LOG.log(Level.WARNING, "accept failed: " + e.getMessage());
                    sleepQuietly(50);
                }
                continue;
            }
            boolean full = connections.size() >= limits.maxConnections();
            Http1Connection c = new Http1Connection(socket, this);
            if (full && refusing.incrementAndGet() > MAX_REFUSING) {
                refusing.decrementAndGet();
                c.abort();
                continue;
            }
            if (!full) {
                connections.add(c);
            }
            try {
                connectionThreads.execute(full ? () -> refuse(c) : c);
            } catch (RejectedExecutionException | OutOfMemoryError e) {
                // shutting down, or no thread could be started (a process thread limit): drop this connection
                // and keep accepting, rather than let the error end the acceptor with the slot still counted
                if (e instanceof OutOfMemoryError) {
                    LOG.log(Level.WARNING, "cannot start a connection thread: " + e.getMessage());
                }
                if (full) {
                    refusing.decrementAndGet();
                }
                connections.remove(c);
                c.abort();
            }
        }
    }

    private void refuse(Http1Connection c) {
        try {
            c.refuse();
        } finally {
            refusing.decrementAndGet();
        }
    }

    private void reapLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(REAPER_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Http1Connection c : connections) {
                c.closeIfExpired(now);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
