package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus exposition: cumulative buckets, counts by code, bounded endpoint labels, escaping. */
class MetricsTest {
    @Test
    void histogramBucketsAreCumulative() {
        Metrics m = new Metrics(List.of("/a"), List.of(Metrics.labels(Map.of("kind", "x\"y"))));
        long[] nanos = {30_000, 70_000, 2_000_000, 9_000_000_000L};
        for (long n : nanos) {
            m.started();
            m.finished("/a", 200, n);
        }
        m.started();
        m.finished(m.label("/random/probe"), 404, 1000);
        String t = m.render();
        assertTrue(t.contains("embed4j_http_request_duration_seconds_bucket{endpoint=\"/a\",le=\"0.00005\"} 1\n"), t);
        assertTrue(t.contains("embed4j_http_request_duration_seconds_bucket{endpoint=\"/a\",le=\"0.0001\"} 2\n"), t);
        assertTrue(t.contains("embed4j_http_request_duration_seconds_bucket{endpoint=\"/a\",le=\"0.0025\"} 3\n"), t);
        assertTrue(t.contains("embed4j_http_request_duration_seconds_bucket{endpoint=\"/a\",le=\"5\"} 3\n"), t);
        assertTrue(t.contains("embed4j_http_request_duration_seconds_bucket{endpoint=\"/a\",le=\"+Inf\"} 4\n"), t);
        assertTrue(t.contains("embed4j_http_request_duration_seconds_sum{endpoint=\"/a\"} 9.0021\n"), t);
        assertTrue(t.contains("embed4j_http_requests_total{endpoint=\"other\",code=\"404\"} 1\n"), t);
        assertTrue(t.contains("embed4j_model_info{kind=\"x\\\"y\"} 1\n"), t);
        assertFalse(t.contains("/random/probe"), "unknown paths never become labels");
        assertEquals(0, m.inFlight());
        assertEquals(4, m.count("/a", 200));
    }
}
