package org.embed4j.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small part of JSON (RFC 8259) that model-file headers need: a strict parser into plain Java values and a
 * writer of them. Values are {@code Map<String, Object>} (insertion order kept), {@code List<Object>},
 * {@link String}, {@link BigDecimal}, {@link Boolean} and {@link #NULL}.
 *
 * <p>Model files come from anywhere, so parsing is strict and bounded: nesting deeper than {@link #MAX_DEPTH},
 * duplicate keys, trailing commas, leading zeros, unescaped control characters and anything else that is not JSON
 * are a {@link JsonException} naming the character offset. Recursion is bounded by the nesting limit, so no input
 * can overflow the stack. Stateless and thread-safe.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;
    /** JSON's null (a Java null cannot be told apart from a missing map key). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Malformed JSON, or well-formed JSON beyond a limit ({@link #overLimit()}): the message names the offset. */
    public static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean overLimit;

        public JsonException(String message) {
            this(message, false);
        }

        JsonException(String message, boolean overLimit) {
            super(message);
            this.overLimit = overLimit;
        }

        /** True when the JSON may be well-formed but holds more values than the caller allowed. */
        public boolean overLimit() {
            return overLimit;
        }
    }

    private final String s;
    private final long maxValues;
    private long values;
    private int pos;

    private Json(String s, long maxValues) {
        this.s = s;
        this.maxValues = maxValues;
    }

    /** Parses one JSON value that makes up the whole of {@code text} (surrounding whitespace allowed). */
    public static Object parse(String text) throws JsonException {
        return parse(text, Long.MAX_VALUE);
    }

    /**
     * {@link #parse(String)} that stops at the {@code maxValues + 1}-th value (every object, array, string, number,
     * boolean and null counts one), so that a large document of tiny values cannot cost memory far beyond its size:
     * parsed values take tens of bytes each.
     */
    public static Object parse(String text, long maxValues) throws JsonException {
        Json p = new Json(text, maxValues);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + Snippet.of(String.valueOf(text.charAt(p.pos))) + "' after the value");
        }
        return v;
    }

    /** Parses {@code text} and requires an object. */
    public static Map<String, Object> parseObject(String text) throws JsonException {
        return parseObject(text, Long.MAX_VALUE);
    }

    /** {@link #parse(String, long)} that requires an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, long maxValues) throws JsonException {
        Object v = parse(text, maxValues);
        if (!(v instanceof Map)) {
            throw new JsonException("expected a JSON object, got " + typeName(v));
        }
        return (Map<String, Object>) v;
    }

    /** "object", "array", "string", "number", "boolean" or "null". */
    public static String typeName(Object v) {
        if (v instanceof Map) {
            return "object";
        } else if (v instanceof List) {
            return "array";
        } else if (v instanceof String) {
            return "string";
        } else if (v instanceof BigDecimal) {
            return "number";
        } else if (v instanceof Boolean) {
            return "boolean";
        }
        return "null";
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a value built of maps with string keys, lists, strings, numbers ({@link Number}; finite only),
     * booleans and null (Java null or {@link #NULL}) as compact JSON.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v) {
        if (v == null || v == NULL) {
            out.append("null");
        } else if (v instanceof String str) {
            quote(out, str);
        } else if (v instanceof Boolean b) {
            out.append(b);
        } else if (v instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no representation for " + n);
            }
            out.append(
                    n instanceof Float f ? Float.toString(f) : n instanceof Double ? Double.toString(d) : n.toString());
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys are strings, got " + e.getKey());
                }
                out.append(first ? "" : ",");
                first = false;
                quote(out, key);
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(out, list.get(i));
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as JSON");
        }
    }

    /** Appends {@code str} as a JSON string literal (control characters escaped, everything else as is). */
    public static void quote(StringBuilder out, String str) {
        out.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    // ------------------------------------------------------------------ parsing

    private Object value(int depth) throws JsonException {
        if (pos >= s.length()) {
            throw error("unexpected end of input");
        }
        if (++values > maxValues) {
            throw new JsonException("more than " + maxValues + " values (at character " + pos + ")", true);
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", true);
            case 'f' -> literal("false", false);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + Snippet.of(String.valueOf(c)) + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) throws JsonException {
        checkDepth(depth);
        pos++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (out.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + Snippet.of(key) + "\"");
            }
            out.put(key, value(depth));
            skipWhitespace();
            char c = next();
            if (c == '}') {
                return out;
            } else if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        checkDepth(depth);
        pos++; // [
        List<Object> out = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            skipWhitespace();
            out.add(value(depth));
            skipWhitespace();
            char c = next();
            if (c == ']') {
                return Collections.unmodifiableList(out);
            } else if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return out.toString();
            } else if (c < 0x20) {
                pos--;
                throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
            } else if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + Snippet.of(String.valueOf(e)) + "'");
                }
            }
        }
    }

    private char unicodeEscape() throws JsonException {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
                throw error("invalid \\u escape");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private BigDecimal number() throws JsonException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        try {
            return new BigDecimal(s.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("number out of range");
        }
    }

    private boolean digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object value) throws JsonException {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected '" + Snippet.of(String.valueOf(s.charAt(pos))) + "'");
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() throws JsonException {
        if (pos >= s.length()) {
            throw error("unexpected end of input");
        }
        return s.charAt(pos++);
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private JsonException error(String what) {
        return new JsonException(what + " at character " + pos);
    }
}
