package org.embed4j.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict JSON request parsing (RFC 8259: no comments, no single quotes, no unquoted names, nothing after
 * the value) and typed field access that turns every mistake into a 400 {@link ApiException} naming the
 * field and what was expected; and the string literals of the responses that are written by hand
 * ({@link #appendQuoted}). Stateless and thread-safe.
 */
final class JsonBodies {
    private JsonBodies() {}

    /** The request body as a JSON object. */
    static JsonObject parseObject(String body) {
        if (body.isBlank()) {
            throw ApiException.badRequest("empty_body", "the request body is empty; send a JSON object");
        }
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw ApiException.badRequest("malformed_json", "unexpected data after the JSON value");
            }
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON: " + brief(e));
        } catch (StackOverflowError e) {
            throw ApiException.badRequest("malformed_json", "the JSON is nested too deeply");
        }
        if (!root.isJsonObject()) {
            throw ApiException.badRequest("malformed_json", "the body must be a JSON object, got " + kind(root));
        }
        return root.getAsJsonObject();
    }

    /** A required non-empty string field. */
    static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw ApiException.badRequest("missing_field", "missing field \"" + name + "\" (a string)");
        }
        return asString(e, "\"" + name + "\"");
    }

    /** An optional string field, or {@code fallback}. */
    static String optString(JsonObject o, String name, String fallback) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? fallback : asString(e, "\"" + name + "\"");
    }

    /**
     * The inputs of a batch request: the array field {@code plural} (1..maxBatch strings) or the single
     * string field {@code singular}; exactly one of them.
     */
    static List<String> strings(JsonObject o, String plural, String singular, int maxBatch) {
        JsonElement many = o.get(plural);
        JsonElement one = o.get(singular);
        if (many != null && one != null) {
            throw ApiException.badRequest(
                    "bad_field", "send either \"" + plural + "\" or \"" + singular + "\", not both");
        }
        if (one != null) {
            return List.of(asString(one, "\"" + singular + "\""));
        }
        if (many == null || many.isJsonNull()) {
            throw ApiException.badRequest("missing_field", "missing field \"" + plural + "\" (an array of strings)");
        }
        JsonArray a = array(many, plural, maxBatch);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(asString(a.get(i), "\"" + plural + "\"[" + i + "]"));
        }
        return out;
    }

    /** A JSON array of 1..maxBatch elements; larger batches are 413. */
    static JsonArray array(JsonElement e, String name, int maxBatch) {
        if (!e.isJsonArray()) {
            throw ApiException.badRequest("bad_field", "\"" + name + "\" must be an array, got " + kind(e));
        }
        JsonArray a = e.getAsJsonArray();
        if (a.isEmpty()) {
            throw ApiException.badRequest("empty_input", "\"" + name + "\" is empty; send at least one input");
        }
        if (a.size() > maxBatch) {
            throw new ApiException(
                    413,
                    "batch_too_large",
                    "\"" + name + "\" has " + a.size() + " inputs; this server accepts at most " + maxBatch
                            + " per request");
        }
        return a;
    }

    /** The optional integer k in [1, maxK], default {@code fallback}. */
    static int k(JsonObject o, int fallback, int maxK) {
        JsonElement e = o.get("k");
        if (e == null || e.isJsonNull()) {
            return Math.min(fallback, maxK);
        }
        long k;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                throw ApiException.badRequest("bad_k", "\"k\" must be an integer, got " + e);
            }
            k = d > Long.MAX_VALUE ? Long.MAX_VALUE : (long) d;
        } else {
            throw ApiException.badRequest("bad_k", "\"k\" must be an integer, got " + kind(e));
        }
        if (k < 1 || k > maxK) {
            throw ApiException.badRequest("bad_k", "\"k\" must be in [1, " + maxK + "], got " + e);
        }
        return (int) k;
    }

    /**
     * Appends {@code s} as a JSON string literal (RFC 8259): quotes, backslashes and control characters escaped,
     * and also U+2028/U+2029 (not line breaks in JSON, but in JavaScript) and unpaired surrogates (as six-character
     * escapes, so that the literal decodes to exactly {@code s} rather than to an encoder's '?').
     */
    static void appendQuoted(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean paired = Character.isHighSurrogate(c)
                            ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || (Character.isSurrogate(c) && !paired)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String asString(JsonElement e, String what) {
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw ApiException.badRequest("bad_field", what + " must be a string, got " + kind(e));
        }
        String s = p.getAsString();
        if (s.isBlank()) {
            throw ApiException.badRequest("empty_input", what + " is empty");
        }
        return s;
    }

    private static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        } else if (e.isJsonObject()) {
            return "an object";
        } else if (e.isJsonArray()) {
            return "an array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? "a string" : p.isNumber() ? "a number" : "a boolean";
    }

    @SuppressWarnings("ReferenceEquality") // a cause chain ends where a throwable is its own cause
    private static String brief(Exception e) {
        // Gson wraps the reader's exception and uses its toString() as message: show the innermost message only
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "unexpected end or token" : t.getMessage();
        int see = m.indexOf("\nSee ");
        m = see >= 0 ? m.substring(0, see) : m;
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
