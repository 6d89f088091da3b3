package org.embed4j.serve;

/**
 * A complete response for {@link Http1Connection} to write: status, content type, body, and extra headers as
 * name/value pairs ({@code {"Allow", "POST"}}). Content-Length, Date and Connection are the connection's.
 */
record Http1Response(int status, String contentType, byte[] body, String... headers) {
    Http1Response {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name/value pairs, got " + headers.length + " strings");
        }
    }
}
