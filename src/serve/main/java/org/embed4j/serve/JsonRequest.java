package org.embed4j.serve;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request body parsed with limits: strict JSON (RFC 8259: no comments, no single quotes, no unquoted names,
 * nothing after the value), streamed from the UTF-8 bytes with a strict decoder, keeping only the top-level fields
 * an endpoint names ({@link Utf8Reader}). Every other value, however large, is skipped token by token without being built, and an array
 * stops being read at the batch limit (413), so the memory a body can take is a small multiple of its length, not
 * the ~40 times of a tree of objects. Kept values are one level deep: strings, numbers, booleans, and arrays of
 * those or of flat objects (an analogy's {@code {"a","b","c"}}); anything deeper becomes a placeholder that only
 * says what it was, for the error message. Typed accessors turn every mistake into a 400 {@link ApiException}
 * naming the field and what was expected. Not thread-safe (one per request).
 */
final class JsonRequest {
    /** A value kept only by its kind ("an array", "an object") because it was nested too deeply to matter. */
    private record Skipped(String kind) {}

    /** A number, kept as its literal. */
    private record Num(String literal) {}

    private static final Object NULL = new Object();

    private final Map<String, Object> fields;
    private final int maxBatch;

    private JsonRequest(Map<String, Object> fields, int maxBatch) {
        this.fields = fields;
        this.maxBatch = maxBatch;
    }

    /** Parses {@code body}, keeping the top-level {@code names}; arrays longer than {@code maxBatch} are a 413. */
    static JsonRequest parse(BodyBytes body, Set<String> names, int maxBatch) {
        if (isBlank(body)) {
            throw ApiException.badRequest("empty_body", "the request body is empty; send a JSON object");
        }
        try (JsonReader in = new JsonReader(new Utf8Reader(body))) {
            in.setStrictness(Strictness.STRICT);
            if (in.peek() != JsonToken.BEGIN_OBJECT) {
                throw ApiException.badRequest(
                        "malformed_json", "the body must be a JSON object, got " + kind(in.peek()));
            }
            Map<String, Object> fields = new HashMap<>();
            in.beginObject();
            while (in.hasNext()) {
                String name = in.nextName();
                if (!names.contains(name)) {
                    in.skipValue();
                } else if (fields.put(name, value(in, name, maxBatch)) != null) {
                    throw ApiException.badRequest("bad_field", "duplicate field \"" + name + "\"");
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw ApiException.badRequest("malformed_json", "unexpected data after the JSON value");
            }
            return new JsonRequest(fields, maxBatch);
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid UTF-8");
        } catch (MalformedJsonException | IllegalStateException | NumberFormatException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON: " + brief(e));
        } catch (IOException e) {
            // an unexpected end of input, from bytes in memory: the only IOExceptions left are malformed JSON
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON: " + brief(e));
        }
    }

    /** A value of a kept field: scalars, an array of at most maxBatch scalars or flat objects. */
    private static Object value(JsonReader in, String name, int maxBatch) throws IOException {
        if (in.peek() != JsonToken.BEGIN_ARRAY) {
            return flat(in, true);
        }
        List<Object> items = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            if (items.size() == maxBatch) {
                throw new ApiException(
                        413,
                        "batch_too_large",
                        "\"" + name + "\" has more than " + maxBatch + " inputs; this server accepts at most "
                                + maxBatch + " per request");
            }
            items.add(flat(in, true));
        }
        in.endArray();
        return items;
    }

    /** A scalar, or (when {@code objects}) an object of scalars; anything deeper is skipped. */
    private static Object flat(JsonReader in, boolean objects) throws IOException {
        return switch (in.peek()) {
            case STRING -> in.nextString();
            case NUMBER -> new Num(in.nextString());
            case BOOLEAN -> in.nextBoolean();
            case NULL -> {
                in.nextNull();
                yield NULL;
            }
            case BEGIN_OBJECT -> {
                if (objects) {
                    Map<String, Object> o = new HashMap<>();
                    in.beginObject();
                    while (in.hasNext()) {
                        String name = in.nextName();
                        if (o.put(name, flat(in, false)) != null) {
                            throw ApiException.badRequest("bad_field", "duplicate field \"" + name + "\"");
                        }
                    }
                    in.endObject();
                    yield new JsonRequest(o, 0);
                }
                in.skipValue();
                yield new Skipped("an object");
            }
            default -> {
                in.skipValue();
                yield new Skipped("an array");
            }
        };
    }

    boolean has(String name) {
        return fields.containsKey(name);
    }

    /** A required non-empty string field. */
    String string(String name) {
        Object v = fields.get(name);
        if (v == null || v == NULL) {
            throw ApiException.badRequest("missing_field", "missing field \"" + name + "\" (a string)");
        }
        return asString(v, "\"" + name + "\"");
    }

    /** An optional string field, or {@code fallback}. */
    String optString(String name, String fallback) {
        Object v = fields.get(name);
        return v == null || v == NULL ? fallback : asString(v, "\"" + name + "\"");
    }

    /**
     * The inputs of a batch request: the array field {@code plural} (1..maxBatch strings) or the single string
     * field {@code singular}; exactly one of them.
     */
    List<String> strings(String plural, String singular) {
        Object many = fields.get(plural);
        Object one = fields.get(singular);
        if (many != null && one != null) {
            throw ApiException.badRequest(
                    "bad_field", "send either \"" + plural + "\" or \"" + singular + "\", not both");
        }
        if (one != null) {
            return List.of(asString(one, "\"" + singular + "\""));
        }
        if (many == null || many == NULL) {
            throw ApiException.badRequest("missing_field", "missing field \"" + plural + "\" (an array of strings)");
        }
        List<?> a = array(plural);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(asString(a.get(i), "\"" + plural + "\"[" + i + "]"));
        }
        return out;
    }

    /** The array field {@code name} of flat objects (1..maxBatch). */
    List<JsonRequest> objects(String name, String what) {
        List<?> a = array(name);
        List<JsonRequest> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof JsonRequest o)) {
                throw ApiException.badRequest("bad_field", "\"" + name + "\"[" + i + "] must be an object " + what);
            }
            out.add(o);
        }
        return out;
    }

    private List<?> array(String name) {
        Object v = fields.get(name);
        if (!(v instanceof List<?> a)) {
            throw ApiException.badRequest("bad_field", "\"" + name + "\" must be an array, got " + kind(v));
        }
        if (a.isEmpty()) {
            throw ApiException.badRequest("empty_input", "\"" + name + "\" is empty; send at least one input");
        }
        if (a.size() > maxBatch && maxBatch > 0) {
            throw new ApiException(
                    413,
                    "batch_too_large",
                    "\"" + name + "\" has " + a.size() + " inputs; this server accepts at most " + maxBatch
                            + " per request");
        }
        return a;
    }

    /** The optional boolean field {@code name}, false when absent or null. */
    boolean flag(String name) {
        Object v = fields.get(name);
        if (v == null || v == NULL) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw ApiException.badRequest("bad_field", "\"" + name + "\" must be true or false, got " + kind(v));
        }
        return b;
    }

    /** The optional integer k in [1, maxK], default {@code fallback}. */
    int k(int fallback, int maxK) {
        Object v = fields.get("k");
        if (v == null || v == NULL) {
            return Math.min(fallback, maxK);
        }
        if (!(v instanceof Num n)) {
            throw ApiException.badRequest("bad_k", "\"k\" must be an integer, got " + kind(v));
        }
        double d = Double.parseDouble(n.literal());
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw ApiException.badRequest("bad_k", "\"k\" must be an integer, got " + abbreviate(n.literal()));
        }
        if (d < 1 || d > maxK) {
            throw ApiException.badRequest(
                    "bad_k", "\"k\" must be in [1, " + maxK + "], got " + abbreviate(n.literal()));
        }
        return (int) d;
    }

    private static String asString(Object v, String what) {
        if (!(v instanceof String s)) {
            throw ApiException.badRequest("bad_field", what + " must be a string, got " + kind(v));
        }
        if (s.isBlank()) {
            throw ApiException.badRequest("empty_input", what + " is empty");
        }
        return s;
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "a string";
            case Num n -> "a number";
            case Boolean b -> "a boolean";
            case List<?> l -> "an array";
            case JsonRequest o -> "an object";
            case Skipped s -> s.kind();
            default -> "null";
        };
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "no value";
        };
    }

    private static boolean isBlank(BodyBytes body) {
        for (int i = 0; i < body.length(); i++) {
            byte b = body.at(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String brief(Exception e) {
        String m = e.getMessage() == null ? "unexpected end or token" : e.getMessage();
        int see = m.indexOf("\nSee ");
        m = see >= 0 ? m.substring(0, see) : m;
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
