package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty server under the service: one listener, NIO (an idle connection holds no thread), HTTP/1.1 always,
 * HTTP/2 over TLS by ALPN when a key store is given, cleartext HTTP/2 (prior knowledge or {@code Upgrade: h2c})
 * when asked. Jetty parses the requests (RFC 9110/9112 compliance: a request with both Content-Length and
 * Transfer-Encoding, duplicated Content-Length or Host, bad characters are refused before the handler); this class
 * configures its limits: head size (16 KiB), connections in total ({@link NetworkConnectionLimit}: the listener
 * pauses at the limit) and per client address ({@link AddressConnectionLimit}), the head-read timeout
 * ({@link HeadReadTimeout}) and the idle timeout. No Server header. Errors Jetty answers itself are JSON
 * ({@link JsonErrorHandler}).
 *
 * <p>{@link #stop} is graceful: the listener closes, requests in flight get up to the shutdown timeout to finish
 * (new requests on open connections get 503), then the remaining connections close.
 */
final class HttpService {
    private static final System.Logger LOG = System.getLogger(HttpService.class.getName());
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final AddressConnectionLimit perAddress;
    private final HeadReadTimeout heads;
    private volatile InetSocketAddress bound;

    HttpService(ServeOptions options, ApiHandler handler, HeadReadTimeout heads) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("embed4j-http");
        threads.setDaemon(true);
        server = new Server(threads);
        server.setStopAtShutdown(false);
        server.setStopTimeout(options.shutdownTimeout().toMillis());
        server.setErrorHandler(new JsonErrorHandler());
        server.setHandler(new GracefulHandler(handler));

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(MAX_HEAD_BYTES);
        http.setIdleTimeout(options.idleTimeout().toMillis());
        connector = new ServerConnector(server, factories(options, http).toArray(ConnectionFactory[]::new));
        InetSocketAddress address = options.address();
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        connector.setAcceptQueueSize(1024);
        connector.setReuseAddress(true);
        this.heads = heads;
        connector.addEventListener(heads);
        perAddress = new AddressConnectionLimit(options.maxConnectionsPerAddress());
        connector.addBean(perAddress);
        server.addBean(new NetworkConnectionLimit(options.maxConnections(), connector));
        server.addConnector(connector);
    }

    /** HTTP/1.1, and HTTP/2 over TLS (ALPN) or h2c as configured. */
    private static List<ConnectionFactory> factories(ServeOptions options, HttpConfiguration http) {
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        List<ConnectionFactory> f = new ArrayList<>();
        if (options.tlsKeystore() != null) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(options.tlsKeystore().toString());
            tls.setKeyStoreType("PKCS12");
            tls.setKeyStorePassword(options.tlsPassword());
            // the Host check is the handler's (HostCheck), whatever name the certificate has
            http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), h1.getProtocol());
            alpn.setDefaultProtocol(h1.getProtocol());
            f.add(new SslConnectionFactory(tls, alpn.getProtocol()));
            f.add(alpn);
            f.add(h2);
            f.add(h1);
        } else {
            f.add(h1);
            if (options.h2c()) {
                f.add(new HTTP2CServerConnectionFactory(http));
            }
        }
        return f;
    }

    void start() throws IOException {
        try {
            server.start();
            heads.start(server.getScheduler());
            bound = new InetSocketAddress(connector.getHost(), connector.getLocalPort());
        } catch (Exception e) {
            stopQuietly();
            throw new IOException(
                    "cannot listen on " + connector.getHost() + ":" + connector.getPort() + ": " + rootMessage(e), e);
        }
    }

    /** The bound address (the real port when 0 was asked). */
    InetSocketAddress address() {
        return bound;
    }

    boolean secure() {
        return connector.getDefaultConnectionFactory() instanceof SslConnectionFactory;
    }

    int openConnections() {
        return perAddress.open();
    }

    long refusedConnections() {
        return perAddress.refused();
    }

    /** Graceful; see the class comment. */
    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the HTTP server: " + e);
        }
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // already failing to start: the start failure is what the caller reports
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) { // getCause() is never t itself
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
