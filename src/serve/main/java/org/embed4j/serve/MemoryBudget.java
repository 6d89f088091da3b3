package org.embed4j.serve;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory that request bodies may hold together, and how much of it one client address may hold. A request
 * reserves {@link #cost(long)} of its body length before the body is read (the bytes themselves, and the strings
 * decoded from them: at most two bytes per byte, Java's UTF-16 strings) and releases it when its response is done.
 * A reservation that does not fit is refused, and the caller answers 503 with Retry-After: the request waits in no
 * queue and holds nothing. A quarter of the budget per address keeps one client (many connections sending big
 * bodies at once) from taking all of it (it may always hold one body of the largest size). Lock-free and thread-safe.
 */
final class MemoryBudget {
    /** Bytes reserved per body byte: the byte array and up to two bytes of decoded string per byte. */
    static final int COST_PER_BODY_BYTE = 3;

    private final long limit;
    private final long perAddress;
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentHashMap<InetAddress, Long> byAddress = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** {@code limit} in all; a quarter of it per address, but always room for one body of {@code maxBody}. */
    MemoryBudget(long limit, int maxBody) {
        this.limit = limit;
        this.perAddress = Math.min(limit, Math.max(limit / 4, cost(maxBody)));
    }

    /** The 503 of a request that does not fit: the client should retry in a second. */
    static ApiException overloaded() {
        return new ApiException(
                503,
                "overloaded",
                "the server is handling as much request data as it may; retry shortly",
                "Retry-After",
                "1");
    }

    static long cost(long bodyBytes) {
        return bodyBytes * COST_PER_BODY_BYTE;
    }

    /** Reserves {@code bytes} for a request from {@code client}; false (and nothing reserved) when it does not fit. */
    boolean tryReserve(InetAddress client, long bytes) {
        if (bytes <= 0) {
            return true;
        }
        boolean[] fits = {false};
        // per address under the map's lock of that key, so that a release dropping an idle entry cannot race it
        byAddress.compute(client, (a, held) -> {
            long now = held == null ? 0 : held;
            if (now + bytes > perAddress) {
                return held;
            }
            fits[0] = true;
            return now + bytes;
        });
        if (fits[0] && used.addAndGet(bytes) > limit) {
            used.addAndGet(-bytes);
            releaseAddress(client, bytes);
            fits[0] = false;
        }
        if (!fits[0]) {
            refused.increment();
        }
        return fits[0];
    }

    /** Gives back what {@link #tryReserve} took. */
    void release(InetAddress client, long bytes) {
        used.addAndGet(-bytes);
        releaseAddress(client, bytes);
    }

    private void releaseAddress(InetAddress client, long bytes) {
        // an address holding nothing leaves the map, which stays as small as the set of clients with bodies in flight
        byAddress.computeIfPresent(client, (a, held) -> held - bytes <= 0 ? null : held - bytes);
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }

    long refused() {
        return refused.sum();
    }
}
