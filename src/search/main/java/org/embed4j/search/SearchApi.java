package org.embed4j.search;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.io.Json;

/**
 * {@code POST /v1/search}, JSON in and JSON out, independent of the HTTP server that routes to it:
 * {@code {"text": "..."}} or {@code {"texts": ["...", ...]}} and an optional {@code "k"} (default 10) →
 * {@code {"results": [{"text": q, "matches": [{"id", "text", "label", "score"}, ...]}, ...]}} (label null when the
 * entry has none), matches best first by cosine.
 *
 * <p>Every mistake of the client is a 4xx with body {@code {"error": {"code": "...", "message": "..."}}} (the
 * service's error shape): 400 for malformed JSON, a missing or mistyped field, an empty text, a k outside
 * [1, maxK], both or neither of text/texts, a text none of whose words has a vector; 413 for more than maxBatch texts.
 * {@link #handle} never throws for any body. Thread-safe: the index is immutable and nothing is kept between calls.
 */
public final class SearchApi {
    /** The HTTP status and JSON body of an answer. */
    public record Response(int status, String json) {}

    /** A refused request: HTTP status, stable error code and a message for the client. */
    public static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        BadRequest(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final TextIndex index;
    private final int maxBatch;
    private final int maxK;

    public SearchApi(TextIndex index, int maxBatch, int maxK) {
        this.index = Objects.requireNonNull(index, "index");
        if (maxBatch < 1 || maxK < 1) {
            throw new IllegalArgumentException("maxBatch and maxK must be >= 1, got " + maxBatch + ", " + maxK);
        }
        this.maxBatch = maxBatch;
        this.maxK = maxK;
    }

    /** Parses {@code body}, searches, and returns 200 with the results or a 4xx with the error. */
    public Response handle(String body) {
        try {
            Map<String, Object> request;
            try {
                request = Json.parseObject(body == null ? "" : body);
            } catch (Json.JsonException e) {
                throw new BadRequest(400, "malformed_json", "the body is not a JSON object: " + e.getMessage());
            }
            return new Response(200, Json.write(search(request)));
        } catch (BadRequest e) {
            return error(e);
        }
    }

    /** The response object for a parsed request (what {@link #handle} writes), or a {@link BadRequest}. */
    public Map<String, Object> search(Map<String, Object> request) {
        Objects.requireNonNull(request, "request");
        List<String> texts = texts(request);
        int k = k(request.get("k"));
        List<List<TextIndex.Match>> all;
        try {
            all = index.search(texts, k);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "no_known_words", e.getMessage());
        }
        List<Object> results = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            List<Object> matches = new ArrayList<>();
            for (TextIndex.Match m : all.get(i)) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("id", m.id());
                o.put("text", m.text());
                o.put("label", m.label());
                o.put("score", m.score());
                matches.add(o);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("text", texts.get(i));
            r.put("matches", matches);
            results.add(r);
        }
        return Map.of("results", results);
    }

    @SuppressWarnings("ReferenceEquality") // Json.NULL is a sentinel, compared by identity
    private List<String> texts(Map<String, Object> request) {
        Object one = request.get("text");
        Object many = request.get("texts");
        if (one != null && many != null) {
            throw new BadRequest(400, "bad_field", "send either \"texts\" or \"text\", not both");
        }
        if (one != null) {
            return List.of(text(one, "\"text\""));
        }
        if (many == null || many == Json.NULL) {
            throw new BadRequest(400, "missing_field", "missing field \"texts\" (an array of strings) or \"text\"");
        }
        if (!(many instanceof List<?> list)) {
            throw new BadRequest(400, "bad_field", "\"texts\" must be an array, got " + Json.typeName(many));
        }
        if (list.isEmpty()) {
            throw new BadRequest(400, "empty_input", "\"texts\" is empty; send at least one text");
        }
        if (list.size() > maxBatch) {
            throw new BadRequest(
                    413,
                    "batch_too_large",
                    "\"texts\" has " + list.size() + " texts; this server accepts at most " + maxBatch
                            + " per request");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(text(list.get(i), "\"texts\"[" + i + "]"));
        }
        return out;
    }

    private static String text(Object v, String what) {
        if (!(v instanceof String s)) {
            throw new BadRequest(400, "bad_field", what + " must be a string, got " + Json.typeName(v));
        }
        if (s.isBlank()) {
            throw new BadRequest(400, "empty_input", what + " is empty");
        }
        return s;
    }

    @SuppressWarnings("ReferenceEquality") // Json.NULL is a sentinel, compared by identity
    private int k(Object v) {
        if (v == null || v == Json.NULL) {
            return Math.min(10, maxK);
        }
        if (!(v instanceof BigDecimal d)) {
            throw new BadRequest(400, "bad_k", "\"k\" must be an integer, got " + Json.typeName(v));
        }
        BigDecimal i;
        try {
            i = d.stripTrailingZeros();
            if (i.scale() > 0) {
                throw new ArithmeticException();
            }
        } catch (ArithmeticException e) {
            throw new BadRequest(400, "bad_k", "\"k\" must be an integer, got " + d);
        }
        if (i.compareTo(BigDecimal.ONE) < 0 || i.compareTo(BigDecimal.valueOf(maxK)) > 0) {
            throw new BadRequest(400, "bad_k", "\"k\" must be in [1, " + maxK + "], got " + d);
        }
        return i.intValueExact();
    }

    private static Response error(BadRequest e) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", e.code());
        err.put("message", e.getMessage());
        return new Response(e.status(), Json.write(Map.of("error", err)));
    }
}
