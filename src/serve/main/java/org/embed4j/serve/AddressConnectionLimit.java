package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.SelectorManager;

/**
 * At most {@code limit} open connections per client address. Jetty tells it of every accepted socket before the
 * socket gets an endpoint ({@link #onAccepting}); one past the limit is closed there, unanswered, so that a client
 * holding many connections (idle keep-alive ones, or ones trickling a head) costs one counter and never keeps other
 * clients out. Also counts the open connections for /metrics. Thread-safe: Jetty calls it from its acceptor and
 * selector threads.
 */
final class AddressConnectionLimit implements SelectorManager.AcceptListener {
    private static final System.Logger LOG = System.getLogger(AddressConnectionLimit.class.getName());
    private final int limit;
    private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();
    /** Accepted sockets still counted, and the address they count against. */
    private final ConcurrentHashMap<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();

    AddressConnectionLimit(int limit) {
        this.limit = limit;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        InetAddress client = client(channel);
        if (client == null) {
            return;
        }
        boolean[] fits = {false};
        byAddress.compute(client, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            fits[0] = true;
            return now + 1;
        });
        if (fits[0]) {
            counted.put(channel, client);
            open.incrementAndGet();
            return;
        }
        refused.increment();
        LOG.log(Level.DEBUG, () -> "closing a connection past the limit of " + limit + " from " + client);
        try {
            // Jetty then fails to register the closed socket and drops it (onAcceptFailed)
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing a refused connection: " + e);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        uncount(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        uncount(channel);
    }

    private void uncount(SelectableChannel channel) {
        InetAddress client = counted.remove(channel);
        if (client != null) {
            open.decrementAndGet();
            byAddress.computeIfPresent(client, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Open connections, all addresses together. */
    int open() {
        return open.get();
    }

    /** Connections closed at once for being past the limit. */
    long refused() {
        return refused.sum();
    }

    private static InetAddress client(SelectableChannel channel) {
        try {
            return channel instanceof SocketChannel s && s.getRemoteAddress() instanceof InetSocketAddress a
                    ? a.getAddress()
                    : null;
        } catch (IOException e) {
            return null;
        }
    }
}
