package org.embed4j.serve;

/**
 * A request the service refuses, with the HTTP status and a stable machine-readable code that go into the
 * JSON error body: {@code {"error": {"code": "...", "message": "..."}}}. The message is meant for the
 * client (it may quote the client's own input) and is never logged unless request logging is on.
 * No stack trace is captured: these are expected outcomes, not bugs.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String[] headers;

    ApiException(int status, String code, String message, String... headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Extra response headers as name/value pairs (Allow for a 405, WWW-Authenticate for a 401). */
    String[] headers() {
        return headers;
    }
}
