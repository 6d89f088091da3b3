package org.embed4j.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Service metrics in the Prometheus text exposition format (version 0.0.4):
 * <ul>
 *   <li>{@code embed4j_http_requests_total{endpoint,code}} and {@code embed4j_http_errors_total{endpoint,code}}
 *       (status &gt;= 400) counters;</li>
 *   <li>{@code embed4j_http_request_duration_seconds{endpoint}}: a histogram of handling time, from the
 *       request headers to the last response byte written, with cumulative {@code le} buckets;</li>
 *   <li>{@code embed4j_http_requests_in_flight} gauge and {@code embed4j_model_info{...} 1} lines;</li>
 *   <li>the families the service adds through {@link #addFamilies} (model readiness and file state, connections,
 *       request memory).</li>
 * </ul>
 * Endpoint labels come from a fixed set ({@code other} for any unknown path) so that a scanner probing
 * random paths cannot grow the label space. Thread-safe and lock-free on the recording path (LongAdder).
 */
final class Metrics {
    /** Upper bounds of the latency buckets, seconds: 50 µs to 5 s. */
    static final double[] BUCKETS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
    };

    private final Map<String, EndpointStats> endpoints = new LinkedHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final List<String> modelInfo;
    private final long startMillis = System.currentTimeMillis();
    private volatile Consumer<StringBuilder> families = out -> {};

    /**
     * @param endpointNames the label values that may occur ("other" is added)
     * @param modelInfo     label sets, already escaped, of one {@code embed4j_model_info} line each
     */
    Metrics(List<String> endpointNames, List<String> modelInfo) {
        for (String e : endpointNames) {
            endpoints.put(e, new EndpointStats());
        }
        endpoints.putIfAbsent("other", new EndpointStats());
        this.modelInfo = List.copyOf(modelInfo);
    }

    /** The endpoint label for {@code path}: the path itself when known, else "other". */
    String label(String path) {
        return endpoints.containsKey(path) ? path : "other";
    }

    void started() {
        inFlight.incrementAndGet();
    }

    /**
     * Records one finished request (call once per {@link #started}). The in-flight count drops last, so a reader that
     * sees no request in flight sees every finished request counted.
     */
    void finished(String endpoint, int status, long nanos) {
        EndpointStats s = endpoints.getOrDefault(endpoint, endpoints.get("other"));
        s.codes.computeIfAbsent(status, c -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) {
            b++;
        }
        s.buckets[b].increment(); // b == BUCKETS.length: only in +Inf
        s.count.increment();
        s.sumNanos.add(nanos);
        inFlight.decrementAndGet();
    }

    long inFlight() {
        return inFlight.get();
    }

    /** Requests counted so far for {@code endpoint} with {@code status} (for tests and logs). */
    long count(String endpoint, int status) {
        EndpointStats s = endpoints.get(endpoint);
        LongAdder a = s == null ? null : s.codes.get(status);
        return a == null ? 0 : a.sum();
    }

    /** The whole exposition, one metric family after another. */
    String render() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP embed4j_http_requests_total HTTP requests handled, by endpoint and status code.\n");
        out.append("# TYPE embed4j_http_requests_total counter\n");
        forEachCode((e, code, n) -> line(out, "embed4j_http_requests_total", e, code, n));
        out.append("# HELP embed4j_http_errors_total HTTP requests answered with a status >= 400.\n");
        out.append("# TYPE embed4j_http_errors_total counter\n");
        forEachCode((e, code, n) -> {
            if (code >= 400) {
                line(out, "embed4j_http_errors_total", e, code, n);
            }
        });
        out.append(
                "# HELP embed4j_http_request_duration_seconds Time from request headers to the last response byte.\n");
        out.append("# TYPE embed4j_http_request_duration_seconds histogram\n");
        for (Map.Entry<String, EndpointStats> en : endpoints.entrySet()) {
            EndpointStats s = en.getValue();
            long count = s.count.sum();
            if (count == 0) {
                continue;
            }
            long cumulative = 0;
            for (int b = 0; b <= BUCKETS.length; b++) {
                cumulative += s.buckets[b].sum();
                String le = b < BUCKETS.length ? format(BUCKETS[b]) : "+Inf";
                out.append("embed4j_http_request_duration_seconds_bucket{endpoint=\"")
                        .append(en.getKey())
                        .append("\",le=\"")
                        .append(le)
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            out.append("embed4j_http_request_duration_seconds_sum{endpoint=\"")
                    .append(en.getKey())
                    .append("\"} ")
                    .append(format(s.sumNanos.sum() / 1e9))
                    .append('\n');
            out.append("embed4j_http_request_duration_seconds_count{endpoint=\"")
                    .append(en.getKey())
                    .append("\"} ")
                    .append(count)
                    .append('\n');
        }
        out.append("# HELP embed4j_http_requests_in_flight Requests being handled now.\n");
        out.append("# TYPE embed4j_http_requests_in_flight gauge\n");
        out.append("embed4j_http_requests_in_flight ").append(inFlight.get()).append('\n');
        out.append("# HELP embed4j_model_info The loaded models (value always 1).\n");
        out.append("# TYPE embed4j_model_info gauge\n");
        for (String labels : modelInfo) {
            out.append("embed4j_model_info{").append(labels).append("} 1\n");
        }
        out.append("# HELP embed4j_process_start_time_seconds Start of the service, Unix time.\n");
        out.append("# TYPE embed4j_process_start_time_seconds gauge\n");
        out.append("embed4j_process_start_time_seconds ")
                .append(startMillis / 1000)
                .append('\n');
        families.accept(out);
        return out.toString();
    }

    /** Adds metric families (HELP, TYPE and samples) at the end of every {@link #render}. */
    void addFamilies(Consumer<StringBuilder> more) {
        Consumer<StringBuilder> before = families;
        families = out -> {
            before.accept(out);
            more.accept(out);
        };
    }

    /** One family of one unlabelled sample, or of samples given as label set -> value. */
    static void family(
            StringBuilder out, String name, String type, String help, Map<String, ? extends Number> samples) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        samples.forEach((labels, v) -> {
            out.append(name);
            if (!labels.isEmpty()) {
                out.append('{').append(labels).append('}');
            }
            out.append(' ').append(v).append('\n');
        });
    }

    /** Escapes a label value: backslash, double quote and newline (the exposition format's three). */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private interface CodeVisitor {
        void visit(String endpoint, int code, long n);
    }

    private void forEachCode(CodeVisitor v) {
        for (Map.Entry<String, EndpointStats> en : endpoints.entrySet()) {
            for (Map.Entry<Integer, LongAdder> c : new TreeMap<>(en.getValue().codes).entrySet()) {
                v.visit(en.getKey(), c.getKey(), c.getValue().sum());
            }
        }
    }

    private static void line(StringBuilder out, String name, String endpoint, int code, long n) {
        out.append(name)
                .append("{endpoint=\"")
                .append(endpoint)
                .append("\",code=\"")
                .append(code)
                .append("\"} ")
                .append(n)
                .append('\n');
    }

    private static String format(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v);
        // trim trailing zeros for readable le labels ("0.005", not "0.005000")
        s = s.indexOf('.') >= 0 ? s.replaceAll("0+$", "") : s;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static final class EndpointStats {
        final ConcurrentHashMap<Integer, LongAdder> codes = new ConcurrentHashMap<>();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        EndpointStats() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** Model-info label sets from name/value pairs, escaped. */
    static String labels(Map<String, String> pairs) {
        List<String> parts = new ArrayList<>();
        pairs.forEach((k, v) -> parts.add(k + "=\"" + escape(v) + "\""));
        return String.join(",", parts);
    }
}
