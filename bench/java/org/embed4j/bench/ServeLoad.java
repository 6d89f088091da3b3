package org.embed4j.bench;

import java.io.BufferedInputStream;
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
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.io.AtomicFiles;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * The load generator of bench/suites/serve.sh, and the models it serves.
 * <ul>
 *   <li>{@code models <dir> <words> <dim>}: a random V×D word-vector model ({@code vectors.e4jv}, words
 *       "w0".."w{V-1}") and a 4-label fastText-style classifier trained on synthetic texts over the same
 *       words ({@code classifier.e4jc}).</li>
 *   <li>{@code bodies <case> <file>}: the request bodies of a case, one JSON document a line, for wrk's
 *       Lua script (bench/suites/serve.sh drives the server with wrk when it can).</li>
 *   <li>{@code load <port> <case> <concurrency> <requests> <seconds> [tokenFile]}: the fallback client when
 *       wrk is missing. Closed loop, N platform threads each on its own keep-alive connection send requests
 *       back to back until {@code requests} have been sent in total or {@code seconds} have passed (whichever
 *       first). Cases: classify-b1, classify-b32 (20-word texts), nearest-k10. Prints one line: {@code LOAD
 *       <case> ok=.. errors=.. rps=.. p50_ms=.. p99_ms=.. seconds=..}. A request is an error unless the answer
 *       is 200 with a JSON body.</li>
 * </ul>
 * The client speaks minimal HTTP/1.1 over plain sockets with pre-built request bytes (Content-Length bodies
 * only, as the service sends), so that its own cost stays small next to the server's on a shared 2-core
 * machine; still, it costs several times what wrk does per request.
 */
public final class ServeLoad {
    private ServeLoad() {}

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "models" -> models(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "bodies" -> writeBodies(args[1], Path.of(args[2]));
            case "load" ->
                load(
                        Integer.parseInt(args[1]),
                        args[2],
                        Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]),
                        Double.parseDouble(args[5]),
                        args.length > 6 ? Files.readString(Path.of(args[6])).strip() : null);
            default ->
                throw new IllegalArgumentException("usage: ServeLoad models <dir> <words> <dim> | "
                        + "bodies <case> <file> | load <port> <case> <concurrency> <requests> <seconds> [tokenFile]");
        }
    }

    // ------------------------------------------------------------------ models

    static void models(Path dir, int words, int dim) throws IOException {
        Files.createDirectories(dir);
        List<String> vocab = new ArrayList<>(words);
        for (int i = 0; i < words; i++) {
            vocab.add("w" + i);
        }
        SplittableRandom r = new SplittableRandom(42);
        float[] m = new float[words * dim];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (r.nextDouble() * 2 - 1);
        }
        VectorsIO.write(WordVectors.of(vocab, m, dim), dir.resolve("vectors.e4jv"), VectorsFormat.NATIVE);
        // label c prefers words whose index is c mod 4; 20k texts of 20 words over the first 20k words
        List<LabeledText> train = new ArrayList<>();
        int pool = Math.min(words, 20_000);
        for (int i = 0; i < 20_000; i++) {
            int label = i % 4;
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 20; w++) {
                int id = r.nextInt(pool / 4) * 4 + (r.nextInt(3) == 0 ? r.nextInt(4) : label);
                t.append(w == 0 ? "" : " ").append("w").append(id);
            }
            train.add(LabeledText.of("__label__" + label, t.toString()));
        }
        ClassifierOptions o = ClassifierOptions.DEFAULTS
                .withDim(dim)
                .withEpoch(2)
                .withThreads(1)
                .withSeed(7);
        TextClassifier clf = new FastTextTrainer(o).train(train);
        clf.save(dir.resolve("classifier.e4jc"));
    }

    // ------------------------------------------------------------------ load

    /** One body a line (the JSON has no raw newlines). */
    static void writeBodies(String kase, Path file) throws IOException {
        List<byte[]> bodies = bodies(kase);
        AtomicFiles.write(file, out -> {
            for (byte[] body : bodies) {
                out.write(body);
                out.write('\n');
            }
        });
    }

    static void load(int port, String kase, int concurrency, int requests, double seconds, String token)
            throws Exception {
        List<byte[]> bodies = bodies(kase);
        String path = kase.startsWith("classify") ? "/v1/classify" : "/v1/nearest";
        List<byte[]> raw = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            String head =
                    "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                            + "Content-Length: " + body.length + "\r\n\r\n";
            byte[] req = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + body.length);
            System.arraycopy(body, 0, req, head.length(), body.length);
            raw.add(req);
        }
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        // platform threads: with a handful of connections they block in the kernel, with no scheduler hand-off
        try (ExecutorService pool =
                Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
            List<Future<?>> clients = new ArrayList<>(concurrency);
            for (int c = 0; c < concurrency; c++) {
                int seed = c;
                clients.add(pool.submit(() -> {
                    Connection conn = null;
                    int i;
                    while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < requests) {
                        byte[] req = raw.get((i * 31 + seed) % raw.size());
                        long t0 = System.nanoTime();
                        try {
                            if (conn == null) {
                                conn = new Connection(port);
                            }
                            if (!conn.exchange(req)) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            conn = close(conn);
                        }
                        latencies[i] = System.nanoTime() - t0;
                    }
                    close(conn);
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(); // a client that failed outside its request loop fails the run
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        int done = Math.min(next.get(), requests);
        long[] sorted = Arrays.copyOf(latencies, done);
        Arrays.sort(sorted);
        long ok = done - errors.get();
        System.out.printf(
                Locale.ROOT,
                "LOAD %s ok=%d errors=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f seconds=%.2f concurrency=%d%n",
                kase,
                ok,
                errors.get(),
                done / elapsed,
                pct(sorted, 0.50) / 1e6,
                pct(sorted, 0.99) / 1e6,
                elapsed,
                concurrency);
    }

    private static Connection close(Connection c) {
        if (c != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
        return null;
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** 64 request bodies of the case, seeded: texts of 20 words from the first 20k words, or query words. */
    static List<byte[]> bodies(String kase) {
        SplittableRandom r = new SplittableRandom(9);
        List<byte[]> out = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            String json = switch (kase) {
                case "classify-b1" -> "{\"texts\": [" + text(r) + "]}";
                case "classify-b32" -> {
                    StringBuilder s = new StringBuilder("{\"texts\": [");
                    for (int t = 0; t < 32; t++) {
                        s.append(t == 0 ? "" : ", ").append(text(r));
                    }
                    yield s.append("]}").toString();
                }
                case "nearest-k10" -> "{\"word\": \"w" + r.nextInt(100_000) + "\", \"k\": 10}";
                default ->
                    throw new IllegalArgumentException(
                            "unknown case " + kase + "; classify-b1, classify-b32, nearest-k10");
            };
            out.add(json.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String text(SplittableRandom r) {
        StringBuilder t = new StringBuilder("\"");
        for (int w = 0; w < 20; w++) {
            t.append(w == 0 ? "" : " ").append("w").append(r.nextInt(20_000));
        }
        return t.append('"').toString();
    }

    /** One keep-alive HTTP/1.1 connection. */
    static final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        final byte[] line = new byte[8192];

        Connection(int port) throws IOException {
            this(port, null);
        }

        /** From the local address {@code from} (a loopback address such as 127.0.0.2), or any when null. */
        Connection(int port, String from) throws IOException {
            socket = new Socket();
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        /** Sends the request and reads the whole response; true when it is a 200 with a JSON object body. */
        boolean exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = readLine();
            int length = -1;
            String h;
            while (!(h = readLine()).isEmpty()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).strip());
                }
            }
            if (length < 0) {
                throw new IOException("response without Content-Length: " + status);
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
            }
            return status.startsWith("HTTP/1.1 200") && length >= 2 && body[0] == '{' && body[length - 1] == '}';
        }

        private String readLine() throws IOException {
            int n = 0;
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r' && n < line.length) {
                    line[n++] = (byte) c;
                }
            }
            return new String(line, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
