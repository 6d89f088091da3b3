package org.embed4j.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's gauges and counters beside the request metrics: {@code embed4j_model_ready{kind}} (0/1),
 * {@code embed4j_model_file_state{kind,state}} (1 for the current state), {@code embed4j_http_connections} (open),
 * {@code embed4j_http_connections_refused_total{reason}} (past the per-address limit, or a head too slow), and
 * {@code embed4j_request_memory_bytes} / {@code _limit_bytes} / {@code embed4j_request_memory_refused_total} (the
 * {@link MemoryBudget}), {@code embed4j_request_rate_refused_total} ({@link AddressBodyRate}) and
 * {@code embed4j_bulk_queued} ({@link BulkLane}). Stateless.
 */
final class ServiceMetrics {
    private ServiceMetrics() {}

    static void render(
            StringBuilder out,
            List<ServedModel> models,
            HttpService http,
            HeadReadTimeout heads,
            MemoryBudget budget,
            AddressBodyRate rate,
            BulkLane bulk) {
        Map<String, Integer> ready = new LinkedHashMap<>();
        Map<String, Integer> files = new LinkedHashMap<>();
        for (ServedModel m : models) {
            String kind = "kind=\"" + Metrics.escape(m.kind()) + "\"";
            ready.put(kind, m.ready() ? 1 : 0);
            for (ServedModel.FileState s : ServedModel.FileState.values()) {
                files.put(kind + ",state=\"" + s.label() + "\"", m.fileState() == s ? 1 : 0);
            }
        }
        Metrics.family(
                out,
                "embed4j_model_ready",
                "gauge",
                "1 when the model can be served, 0 when its "
                        + "requests get 503 (unhealthy, or its file changed in place).",
                ready);
        Metrics.family(
                out,
                "embed4j_model_file_state",
                "gauge",
                "What became of the model's file since it was " + "loaded (1 for the current state).",
                files);
        Metrics.family(
                out,
                "embed4j_http_connections",
                "gauge",
                "Open client connections.",
                Map.of("", http.openConnections()));
        Map<String, Long> refused = new LinkedHashMap<>();
        refused.put("reason=\"per_address_limit\"", http.refusedConnections());
        refused.put("reason=\"head_timeout\"", heads.closed());
        Metrics.family(
                out,
                "embed4j_http_connections_refused_total",
                "counter",
                "Connections closed by the "
                        + "server's limits: past the per-address limit, or a request head too slow.",
                refused);
        Metrics.family(
                out,
                "embed4j_request_memory_bytes",
                "gauge",
                "Request memory reserved by bodies in " + "flight.",
                Map.of("", budget.used()));
        Metrics.family(
                out,
                "embed4j_request_memory_limit_bytes",
                "gauge",
                "The request memory budget.",
                Map.of("", budget.limit()));
        Metrics.family(
                out,
                "embed4j_request_memory_refused_total",
                "counter",
                "Requests answered 503 because " + "the request memory budget was spent.",
                Map.of("", budget.refused()));
        Metrics.family(
                out,
                "embed4j_request_rate_refused_total",
                "counter",
                "Requests answered 429 because their client address was over its request-body bytes per second.",
                Map.of("", rate.refused()));
        Metrics.family(
                out,
                "embed4j_bulk_queued",
                "gauge",
                "Requests with big bodies waiting for a thread of the bulk lane.",
                Map.of("", bulk.queued()));
    }
}
