package org.embed4j.serve;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;

/**
 * Which names a request may give in {@code Host} (HTTP/1.1) or {@code :authority} (HTTP/2): the bind address,
 * the loopback names when it binds loopback or every interface ({@code localhost}, {@code 127.0.0.1},
 * {@code [::1]}), and {@link ServeOptions#allowedHosts()}. A web page in the user's browser can reach a loopback
 * service, even read its answers after pointing a name of its own at 127.0.0.1 (DNS rebinding), but the browser
 * then sends that name as Host: refusing unknown names is what stops it. Behind a wildcard bind with no
 * allowed hosts the server cannot know its own names, and accepts any ("*" in allowedHosts says so explicitly).
 * The port is not compared (a proxy may rewrite it). An HTTP/1.1 request without Host is a 400 (RFC 9112);
 * Jetty refuses duplicated Host headers itself. Immutable and thread-safe.
 */
final class HostCheck {
    private final Set<String> allowed; // lower case, IPv6 literals in brackets; null = any

    HostCheck(String bind, List<String> allowedHosts) {
        Set<String> names = new HashSet<>();
        boolean any = allowedHosts.contains("*");
        for (String h : allowedHosts) {
            names.add(normalize(h));
        }
        InetAddress a = resolve(bind);
        boolean wildcard = a != null && a.isAnyLocalAddress();
        if (a != null && (a.isLoopbackAddress() || wildcard)) {
            names.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
        }
        if (!wildcard) {
            names.add(normalize(bind));
            if (a != null) {
                names.add(normalize(a.getHostAddress()));
            }
        }
        this.allowed = any || (wildcard && allowedHosts.isEmpty()) ? null : Set.copyOf(names);
    }

    /** Throws the 400 of a request whose host is missing (HTTP/1.1) or not one of ours. */
    void check(Request request) {
        String host = request.getHttpURI().getHost();
        if (host == null || host.isEmpty()) {
            if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_0) {
                return; // HTTP/1.0 has no Host header
            }
            throw ApiException.badRequest("missing_host", "the request has no Host header");
        }
        if (allowed != null && !allowed.contains(normalize(host))) {
            throw ApiException.badRequest(
                    "host_not_allowed",
                    "this server does not answer for host \"" + abbreviate(host)
                            + "\" (its operator can add it with --allowed-hosts)");
        }
    }

    /** Lower case; IPv6 literals with brackets, as they appear in a Host header. */
    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    private static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
