package org.embed4j.serve;

import java.nio.charset.StandardCharsets;

/**
 * The JSON of the responses, written straight into a buffer: string literals escaped per RFC 8259, and numbers as
 * the shortest decimal that parses back to the same float or double. A number that is NaN or infinite has no JSON
 * form: {@link #number} throws {@link NonFiniteException} rather than write an invalid document, and the server
 * answers 503 and marks the model unhealthy. Not thread-safe (one per response).
 */
final class JsonOut {
    /** A model produced NaN or an infinity where a response needs a number. */
    static final class NonFiniteException extends RuntimeException {
        NonFiniteException(String what, double value) {
            super(what + " is " + value, null, false, false);
        }
    }

    private final StringBuilder b;

    JsonOut(int capacity) {
        b = new StringBuilder(capacity);
    }

    JsonOut raw(String s) {
        b.append(s);
        return this;
    }

    JsonOut raw(char c) {
        b.append(c);
        return this;
    }

    /** {@code "name":} */
    JsonOut name(String name) {
        return string(name).raw(':');
    }

    JsonOut string(String s) {
        appendQuoted(b, s);
        return this;
    }

    JsonOut number(long v) {
        b.append(v);
        return this;
    }

    /** A float; {@code what} names it in the exception when it is not finite. */
    JsonOut number(float v, String what) {
        if (!Float.isFinite(v)) {
            throw new NonFiniteException(what, v);
        }
        b.append(v);
        return this;
    }

    JsonOut number(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new NonFiniteException(what, v);
        }
        b.append(v);
        return this;
    }

    JsonOut bool(boolean v) {
        b.append(v);
        return this;
    }

    byte[] toBytes() {
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return b.toString();
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
}
