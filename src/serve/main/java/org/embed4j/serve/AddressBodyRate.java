package org.embed4j.serve;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * How many request-body bytes per second one client address may send: a token bucket per address that refills
 * at that rate and holds one second's worth (at least one body of the largest size). A request whose body does not
 * fit in its address's bucket is answered 429 with Retry-After before its body is read, so a client sending big
 * bodies back to back cannot keep the cores busy parsing them while other clients wait. A bucket that has refilled
 * completely is as if its address had never been seen: such buckets are dropped when more than
 * {@link #MAX_TRACKED} addresses are tracked. A rate of 0 turns the limit off. Thread-safe.
 */
final class AddressBodyRate {
    /** Addresses tracked before full buckets are dropped. */
    static final int MAX_TRACKED = 4096;

    private record Bucket(double tokens, long at) {}

    private final double perSecond;
    private final double capacity;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** {@code bytesPerSecond} per address (0: no limit); {@code maxBody} always fits in a full bucket. */
    AddressBodyRate(long bytesPerSecond, int maxBody) {
        this(bytesPerSecond, maxBody, System::nanoTime);
    }

    AddressBodyRate(long bytesPerSecond, int maxBody, LongSupplier nanoClock) {
        this.perSecond = bytesPerSecond;
        this.capacity = Math.max(bytesPerSecond, maxBody);
        this.nanoClock = nanoClock;
    }

    /** The 429 of a client over its rate. */
    ApiException refusal() {
        return new ApiException(
                429,
                "too_many_bytes",
                "this client address sent more than " + (long) perSecond
                        + " bytes of request bodies per second; retry shortly",
                "Retry-After",
                "1");
    }

    /** Takes {@code bytes} from {@code client}'s bucket; false (nothing taken) when they do not fit. */
    boolean tryTake(InetAddress client, long bytes) {
        if (perSecond <= 0 || bytes <= 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        if (buckets.size() > MAX_TRACKED) {
            buckets.values().removeIf(b -> level(b, now) >= capacity);
        }
        boolean[] fits = {false};
        buckets.compute(client, (a, b) -> {
            double tokens = b == null ? capacity : level(b, now);
            fits[0] = tokens >= bytes;
            return new Bucket(fits[0] ? tokens - bytes : tokens, now);
        });
        if (!fits[0]) {
            refused.increment();
        }
        return fits[0];
    }

    private double level(Bucket b, long now) {
        return Math.min(capacity, b.tokens() + (now - b.at()) * perSecond / 1e9);
    }

    /** Requests refused so far. */
    long refused() {
        return refused.sum();
    }

    /** Addresses tracked now. */
    int tracked() {
        return buckets.size();
    }
}
