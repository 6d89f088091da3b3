package org.embed4j.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Parses a request head (RFC 9112 §2-§7): the request line, header fields, and the body framing. Strict where
 * leniency lets two parsers disagree about where a request ends (request smuggling): Content-Length and
 * Transfer-Encoding together, differing Content-Lengths, whitespace before a colon, obsolete line folding and
 * transfer codings other than chunked are all refused. Every refusal is an {@link ApiException} with a 4xx/5xx
 * status, after which the connection closes. Immutable and thread-safe: one per server.
 */
final class Http1Head {
    private final Http1Server.Limits limits;
    // made once: they carry no stack trace, so one instance serves every refusal
    private final ApiException headTooLarge;
    private final ApiException uriTooLong;

    Http1Head(Http1Server.Limits limits) {
        this.limits = limits;
        this.headTooLarge = new ApiException(
                431,
                "header_too_large",
                "the request head is longer than " + limits.maxHeadBytes() + " bytes or has more than "
                        + limits.maxHeaders() + " fields");
        this.uriTooLong = new ApiException(
                414, "uri_too_long", "the request line is longer than " + limits.maxHeadBytes() + " bytes");
    }

    /** Reads one head from {@code in}; the first byte of it is already buffered. */
    Http1Request read(Http1Input in, OutputStream out) throws IOException {
        int max = limits.maxHeadBytes();
        String line = in.readLine(max, uriTooLong);
        if (line.isEmpty()) {
            // RFC 9112 §2.2: a server should ignore an empty line before the request line
            line = in.readLine(max, headTooLarge);
        }
        int budget = max - line.length() - 2;
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < sp1 + 2 || line.indexOf(' ', sp2 + 1) >= 0 || !isToken(line, 0, sp1)) {
            throw bad("malformed request line");
        }
        String method = line.substring(0, sp1);
        String path = path(line.substring(sp1 + 1, sp2));
        boolean http10 = version(line.substring(sp2 + 1));

        String[] headers = new String[32];
        int count = 0;
        while (true) {
            if (budget < 0) {
                throw headTooLarge;
            }
            String h = in.readLine(budget, headTooLarge);
            budget -= h.length() + 2;
            if (h.isEmpty()) {
                break;
            }
            if (count == limits.maxHeaders()) {
                throw headTooLarge;
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h, 0, colon)) {
                // a leading space is obsolete line folding, a space before the colon is forbidden (§5.1)
                throw bad("malformed header line");
            }
            String value = withoutOws(h, colon + 1);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < ' ' && c != '\t') || c == 0x7f) {
                    throw bad("a header value has a control character");
                }
            }
            if (2 * count + 2 > headers.length) {
                headers = Arrays.copyOf(headers, 2 * headers.length);
            }
            headers[2 * count] = h.substring(0, colon);
            headers[2 * count + 1] = value;
            count++;
        }
        long contentLength = framing(headers, count, http10);
        String expect = find(headers, count, "Expect");
        return new Http1Request(
                method,
                path,
                headers,
                count,
                http10,
                System.nanoTime(),
                contentLength,
                "100-continue".equalsIgnoreCase(expect),
                in,
                out);
    }

    /** The body length from the framing headers, -1 for chunked, 0 for none. */
    private static long framing(String[] headers, int count, boolean http10) {
        String length = null;
        boolean transferEncoding = false;
        String coding = null;
        for (int i = 0; i < count; i++) {
            String name = headers[2 * i];
            String value = headers[2 * i + 1];
            if (name.equalsIgnoreCase("Content-Length")) {
                if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw bad("Content-Length is not a number: '" + abbreviate(value) + "'");
                }
                if (length != null && !length.equals(value)) {
                    throw bad("two different Content-Length headers");
                }
                length = value;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                coding = transferEncoding ? coding + ", " + value : value;
                transferEncoding = true;
            }
        }
        if (transferEncoding) {
            if (length != null || http10) {
                throw bad("Transfer-Encoding with Content-Length, or in an HTTP/1.0 request, is not accepted");
            }
            if (!withoutOws(coding, 0).equalsIgnoreCase("chunked")) {
                throw new ApiException(
                        501,
                        "not_implemented",
                        "transfer coding '" + abbreviate(coding)
                                + "' is not supported; send Content-Length or chunked");
            }
            return -1;
        }
        return length == null ? 0 : Long.parseLong(length);
    }

    /** origin-form "/p?q", absolute-form "http://host/p?q" or "*": the path, query dropped. */
    private static String path(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw bad("the request target has a byte outside printable ASCII");
            }
        }
        int start = 0;
        if (target.charAt(0) != '/') {
            if (target.equals("*")) {
                return target;
            }
            int scheme = target.indexOf("://");
            if (scheme <= 0
                    || !(target.regionMatches(true, 0, "http", 0, scheme)
                            || target.regionMatches(true, 0, "https", 0, scheme))) {
                throw bad("malformed request target '" + abbreviate(target) + "'");
            }
            start = target.indexOf('/', scheme + 3);
            if (start < 0) {
                return "/";
            }
        }
        int query = target.indexOf('?', start);
        int end = query < 0 ? target.length() : query;
        return start == 0 && end == target.length() ? target : target.substring(start, end);
    }

    /** True for HTTP/1.0; HTTP/1.1 false; another version is a 505, anything else a 400. */
    private static boolean version(String v) {
        if (v.equals("HTTP/1.1")) {
            return false;
        }
        if (v.equals("HTTP/1.0")) {
            return true;
        }
        if (v.length() == 8
                && v.startsWith("HTTP/")
                && Character.isDigit(v.charAt(5))
                && v.charAt(6) == '.'
                && Character.isDigit(v.charAt(7))) {
            throw new ApiException(
                    505, "http_version_not_supported", "this server speaks HTTP/1.1 (and 1.0), not " + v);
        }
        throw bad("malformed request line: bad HTTP version");
    }

    /**
     * The field value from {@code from} without the whitespace around it: SP and HTAB only (RFC 9110 §5.5).
     * {@link String#strip} would also drop a vertical tab or form feed, making "chunked\u000b" chunked here
     * while a proxy in front may take it for an unknown coding; left in, they are refused as control characters.
     */
    static String withoutOws(String line, int from) {
        int start = from;
        int end = line.length();
        while (start < end && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(start, end);
    }

    /** RFC 9110 §5.6.2 token characters. */
    private static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return from < to;
    }

    private static String find(String[] headers, int count, String name) {
        for (int i = 0; i < count; i++) {
            if (headers[2 * i].equalsIgnoreCase(name)) {
                return headers[2 * i + 1];
            }
        }
        return null;
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest("bad_request", message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
