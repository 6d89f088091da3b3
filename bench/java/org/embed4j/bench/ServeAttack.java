package org.embed4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The attack soak of bench/suites/serve.sh --attack: normal clients at a fixed rate while attackers, each from a
 * loopback address of its own, run the patterns a service must survive:
 * <ul>
 *   <li>127.0.0.2 holds 1,030 keep-alive connections, each sending {@code GET /healthz} every 20 s;</li>
 *   <li>127.0.0.3 opens 1,100 connections that send a request head one byte every 5 s;</li>
 *   <li>127.0.0.4 sends ~1 MiB bodies {@code {"x":[0,0,...]}} on 160 connections, back to back;</li>
 *   <li>127.0.0.5 sends 1 MiB bodies at 1 KiB/s on 200 connections.</li>
 * </ul>
 * Closed attacker connections are reopened after a second. {@code attackers <port> <seconds> <tokenFile|->} runs them (the
 * body attackers send the token: a misbehaving client of the service, not a stranger stopped at 401) and prints
 * {@code ATTACKERS keepalive_held=.. bodies_refused=.. bodies_other=..} at the end.
 *
 * <p>{@code normal <port> <seconds> <rate> <tokenFile|->}, in a JVM of its own so that the attackers' threads do
 * not delay it, is the normal client (127.0.0.1): classify batch-1 requests at {@code rate} per second on 16
 * keep-alive connections, each request's latency counted from when it fell due (so a stall is not hidden by
 * requests not sent); a request succeeds when it is a 200 with a JSON body within 10 s. The connections are opened
 * and warmed up with unmeasured requests under the attack before the schedule starts (a client's first requests
 * in a fresh JVM measure its class loading and JIT, not the server); the slowest of those connects is reported.
 * It prints {@code ATTACK normal_total=.. normal_ok=.. p50_ms=.. p99_ms=.. max_ms=.. warm_connect_max_ms=..}; with
 * {@code -Dserve.attack.trace=<file>} it also writes one line per request ({@link #writeTrace}).
 */
public final class ServeAttack {
    /** Keep-alive connections of the normal client: a request that falls due waits for a free one. */
    private static final int NORMAL_CONNECTIONS = 16;

    /** Unmeasured requests per normal connection before the measured schedule starts. */
    private static final int WARM_UP_EXCHANGES = 20;

    /** The bearer token the body attackers send (they hold it, as a misbehaving client of the service would). */
    private String token;

    private ServeAttack() {}

    private static String token(String file) throws java.io.IOException {
        return file.equals("-") ? null : Files.readString(Path.of(file)).strip();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        ServeAttack a = new ServeAttack();
        if (args[0].equals("attackers")) {
            a.token = token(args[3]);
            a.attack(port, end);
        } else {
            a.normal(port, end, Integer.parseInt(args[3]), token(args[4]));
        }
    }

    private final AtomicInteger keepAliveHeld = new AtomicInteger();
    private final AtomicLong bodiesRefused = new AtomicLong();
    private final AtomicLong bodiesOther = new AtomicLong();
    private volatile boolean stop;

    @SuppressWarnings("FutureReturnValueIgnored") // an attacker's failure is part of the attack, not of the run
    private void attack(int port, long end) throws Exception {
        try (ExecutorService attackers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1030; i++) {
                attackers.submit(() -> keepAlive(port));
            }
            for (int i = 0; i < 1100; i++) {
                attackers.submit(() -> oneByte(port));
            }
            byte[] big = bigBody();
            for (int i = 0; i < 160; i++) {
                attackers.submit(() -> bigBodies(port, big));
            }
            for (int i = 0; i < 200; i++) {
                attackers.submit(() -> slowBody(port));
            }
            LockSupport.parkNanos(end - System.nanoTime());
            stop = true;
            attackers.shutdownNow();
        }
        System.out.printf(
                Locale.ROOT,
                "ATTACKERS keepalive_held=%d bodies_refused=%d bodies_other=%d%n",
                keepAliveHeld.get(),
                bodiesRefused.get(),
                bodiesOther.get());
    }

    // ------------------------------------------------------------------ normal clients

    /** Normal clients: {@link #NORMAL_CONNECTIONS} keep-alive connections take the requests as they fall due. */
    private void normal(int port, long end, int rate, String token) throws Exception {
        List<byte[]> bodies = ServeLoad.bodies("classify-b1");
        int n = (int) Math.max(1, (end - System.nanoTime()) / 1e9 * rate);
        long[] latency = new long[n];
        // per request, for the trace: when it was sent (after its wait for a connection), connected, answered
        long[] sent = new long[n];
        long[] connected = new long[n];
        int[] status = new int[n];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long period = 1_000_000_000L / rate;
        AtomicLong warmConnectMax = new AtomicLong();
        CountDownLatch warm = new CountDownLatch(NORMAL_CONNECTIONS);
        CountDownLatch go = new CountDownLatch(1);
        long[] startAt = new long[1];
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>(NORMAL_CONNECTIONS);
            for (int w = 0; w < NORMAL_CONNECTIONS; w++) {
                int first = w;
                running.add(clients.submit(() -> {
                    ServeLoad.Connection c = warmUp(port, bodies.get(first % bodies.size()), token, warmConnectMax);
                    warm.countDown();
                    go.await();
                    long start = startAt[0];
                    for (int id; (id = next.getAndIncrement()) < n; ) {
                        long due = start + id * period;
                        LockSupport.parkNanos(due - System.nanoTime());
                        sent[id] = System.nanoTime();
                        try {
                            if (c == null) {
                                c = new ServeLoad.Connection(port, "127.0.0.1");
                                c.socket.setSoTimeout(10_000);
                                connected[id] = System.nanoTime() - sent[id];
                            }
                            if (c.exchange(request(port, bodies.get(id % bodies.size()), token))) {
                                ok.incrementAndGet();
                                status[id] = 200;
                            }
                        } catch (IOException e) {
                            close(c == null ? null : c.socket);
                            c = null;
                        }
                        latency[id] = System.nanoTime() - due;
                    }
                    close(c == null ? null : c.socket);
                    return null;
                }));
            }
            warm.await();
            startAt[0] = System.nanoTime() + 10_000_000L;
            go.countDown();
            for (Future<?> client : running) {
                client.get(); // a client that failed outside its request loop fails the run
            }
        }
        long start = startAt[0];
        String trace = System.getProperty("serve.attack.trace");
        if (trace != null) {
            writeTrace(Path.of(trace), start, period, latency, sent, connected, status);
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "ATTACK normal_total=%d normal_ok=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f warm_connect_max_ms=%.3f%n",
                n,
                ok.get(),
                ServeLoad.pct(sorted, 0.50) / 1e6,
                ServeLoad.pct(sorted, 0.99) / 1e6,
                sorted[n - 1] / 1e6,
                warmConnectMax.get() / 1e6);
    }

    /**
     * Opens one normal connection (under the attack) and sends it {@link #WARM_UP_EXCHANGES} requests that are not
     * measured, so that the measured requests find the client's code compiled and its connections open, as a
     * long-running client's are; the slowest connect goes into {@code connectMax}. Null when that failed (the
     * measured loop then connects, and that connect is measured).
     */
    private static ServeLoad.Connection warmUp(int port, byte[] body, String token, AtomicLong connectMax) {
        ServeLoad.Connection c = null;
        try {
            long t0 = System.nanoTime();
            c = new ServeLoad.Connection(port, "127.0.0.1");
            c.socket.setSoTimeout(10_000);
            connectMax.accumulateAndGet(System.nanoTime() - t0, Math::max);
            for (int i = 0; i < WARM_UP_EXCHANGES; i++) {
                c.exchange(request(port, body, token));
            }
            return c;
        } catch (IOException e) {
            close(c == null ? null : c.socket);
            return null;
        }
    }

    /**
     * One line per normal request: when it fell due (ms since the first, wall clock epoch ms in the header), how long
     * it waited for a free connection, how long a new connection took (0 on a kept one), its latency, its status.
     */
    private static void writeTrace(
            Path file, long start, long period, long[] latency, long[] sent, long[] connected, int[] status)
            throws IOException {
        long epochAtStart = System.currentTimeMillis() - (System.nanoTime() - start) / 1_000_000L;
        StringBuilder b = new StringBuilder("# start_epoch_ms=" + epochAtStart + "\n");
        b.append("id due_ms queued_ms connect_ms latency_ms status\n");
        for (int i = 0; i < latency.length; i++) {
            long due = start + i * period;
            b.append(String.format(
                    Locale.ROOT,
                    "%d %.3f %.3f %.3f %.3f %d%n",
                    i,
                    (due - start) / 1e6,
                    (sent[i] - due) / 1e6,
                    connected[i] / 1e6,
                    latency[i] / 1e6,
                    status[i]));
        }
        Files.writeString(file, b);
    }

    private static byte[] request(int port, byte[] body, String token) {
        String head = "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Content-Length: "
                + body.length + "\r\n\r\n";
        byte[] req = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + body.length);
        System.arraycopy(body, 0, req, head.length(), body.length);
        return req;
    }

    // ------------------------------------------------------------------ attackers

    private void keepAlive(int port) {
        byte[] get =
                ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (!stop) {
            boolean counted = false;
            try (Socket s = connect(port, "127.0.0.2")) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                while (!stop) {
                    out.write(get);
                    out.flush();
                    if (!drainResponse(in)) {
                        break;
                    }
                    if (!counted) {
                        keepAliveHeld.incrementAndGet();
                        counted = true;
                    }
                    Thread.sleep(20_000);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server (or the end): reconnect
            }
            if (counted) {
                keepAliveHeld.decrementAndGet();
            }
            pause(1000);
        }
    }

    private void oneByte(int port) {
        byte[] head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: " + "s".repeat(200)
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        while (!stop) {
            try (Socket s = connect(port, "127.0.0.3")) {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < head.length && !stop; i++) {
                    out.write(head[i]);
                    out.flush();
                    Thread.sleep(5000);
                }
            } catch (IOException | InterruptedException e) {
                // cut by the server: reconnect
            }
            pause(1000);
        }
    }

    private static byte[] bigBody() {
        StringBuilder b = new StringBuilder(1 << 20).append("{\"x\":[0");
        while (b.length() < (1 << 20) - 16) {
            b.append(",0");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void bigBodies(int port, byte[] body) {
        while (!stop) {
            try (Socket s = connect(port, "127.0.0.4")) {
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                while (!stop) {
                    out.write(request(port, body, token));
                    out.flush();
                    int status = response(in);
                    if (status < 0) {
                        break;
                    }
                    (status == 503 || status == 429 ? bodiesRefused : bodiesOther).incrementAndGet();
                }
            } catch (IOException e) {
                // closed (a 503 before the body was read closes the connection): reconnect
            }
            pause(100);
        }
    }

    private void slowBody(int port) {
        String head = "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Content-Length: " + (1 << 20)
                + "\r\n\r\n{\"text\":\"";
        byte[] kib = "w1 ".repeat(342).substring(0, 1024).getBytes(StandardCharsets.US_ASCII);
        while (!stop) {
            try (Socket s = connect(port, "127.0.0.5")) {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                while (!stop) {
                    out.write(kib);
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // refused or timed out by the server: reconnect
            }
            pause(1000);
        }
    }

    // ------------------------------------------------------------------ small HTTP helpers

    private static Socket connect(int port, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(60_000);
        return s;
    }

    /** Reads one response (Content-Length framed); false when the connection ended. */
    private static boolean drainResponse(InputStream in) throws IOException {
        return response(in) > 0;
    }

    /** Reads one response and skips its body: its status, or -1 when the connection ended first. */
    private static int response(InputStream in) throws IOException {
        String line = line(in);
        if (line == null) {
            return -1;
        }
        int status = Integer.parseInt(line.split(" ")[1]);
        int length = 0;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).strip());
            }
        }
        in.skipNBytes(length);
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                return null;
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static void close(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private void pause(long millis) {
        if (!stop) {
            LockSupport.parkNanos(millis * 1_000_000L);
        }
    }
}
