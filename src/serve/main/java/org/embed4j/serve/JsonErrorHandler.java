package org.embed4j.serve;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (a malformed request head, a header section or URI too long, an unsupported
 * HTTP version, a request that failed before reaching the handler) in the service's JSON error form
 * {@code {"error": {"code", "message", "status"}}} instead of Jetty's HTML page, for every method. The message is
 * Jetty's short reason (it does not quote the request); no stack traces. Thread-safe (stateless).
 */
final class JsonErrorHandler extends ErrorHandler {
    JsonErrorHandler() {
        setShowStacks(false);
        setShowMessageInTitle(false);
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        byte[] body = ApiHandler.errorBody(code, code(code), ApiHandler.abbreviate(reason));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiHandler.JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The machine-readable code of a status Jetty answers by itself. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 408 -> "request_timeout";
            case 413 -> "body_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 501 -> "not_implemented";
            case 503 -> "unavailable";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }
}
