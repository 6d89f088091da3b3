package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address token bucket, on a clock the test moves. */
class AddressBodyRateTest {
    private final AtomicLong now = new AtomicLong();

    private static InetAddress address(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (last >> 8), (byte) last});
    }

    @Test
    void aFullBucketHoldsOneSecondAndRefillsAtTheRate() throws Exception {
        AddressBodyRate rate = new AddressBodyRate(1000, 100, now::get);
        InetAddress a = address(1);
        assertTrue(rate.tryTake(a, 600));
        assertTrue(rate.tryTake(a, 400));
        assertFalse(rate.tryTake(a, 1), "a second's worth is spent");
        now.addAndGet(250_000_000L); // a quarter second: 250 bytes back
        assertFalse(rate.tryTake(a, 251));
        assertTrue(rate.tryTake(a, 250));
        assertTrue(rate.tryTake(address(2), 1000), "another address has its own bucket");
        assertEquals(2, rate.refused());
    }

    @Test
    void theLargestBodyAlwaysFitsAFullBucketAndZeroMeansNoLimit() throws Exception {
        AddressBodyRate slow = new AddressBodyRate(10, 5000, now::get);
        assertTrue(slow.tryTake(address(1), 5000));
        assertFalse(slow.tryTake(address(1), 1));
        AddressBodyRate off = new AddressBodyRate(0, 5000, now::get);
        for (int i = 0; i < 100; i++) {
            assertTrue(off.tryTake(address(1), 1L << 30));
        }
        assertEquals(0, off.refused());
    }

    @Test
    void fullBucketsAreDroppedWhenTooManyAddressesAreTracked() throws Exception {
        AddressBodyRate rate = new AddressBodyRate(1000, 100, now::get);
        for (int i = 0; i <= AddressBodyRate.MAX_TRACKED; i++) {
            assertTrue(rate.tryTake(address(i), 10));
        }
        now.addAndGet(1_000_000_000L); // every bucket refilled
        assertTrue(rate.tryTake(address(AddressBodyRate.MAX_TRACKED + 1), 10));
        assertEquals(1, rate.tracked(), "only the address just seen is left");
    }
}
