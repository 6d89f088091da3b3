package org.embed4j.serve;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A request body held in segments of at most {@link #SEGMENT} bytes, filled as its chunks arrive. No array is larger
 * than a segment, so a big body is never one of G1's humongous objects (an array of half a heap region or more, at
 * least 512 KiB): those are allocated outside the young generation, each one starts a concurrent GC cycle when they
 * pile up, and a 1 MiB array takes two whole 1 MiB regions. A segment is allocated when the first byte for it
 * arrives, so a body sent slowly holds only what has arrived. With a known length every segment has its final size;
 * a body of unknown length (chunked) grows its last segment by doubling from {@link #FIRST_GROWING} bytes up to a
 * full segment. Not thread-safe (one per request).
 */
final class BodyBytes {
    static final int SEGMENT_BITS = 16;
    /** The largest array a body uses: 64 KiB. */
    static final int SEGMENT = 1 << SEGMENT_BITS;

    private static final int MASK = SEGMENT - 1;
    /** The first segment of a body of unknown length. */
    static final int FIRST_GROWING = 8 * 1024;

    private final int announced; // the length when known, else -1
    private byte[][] segments;
    private int length;
    private long capacity; // bytes of the segments allocated now

    private BodyBytes(int announced) {
        this.announced = announced;
        this.segments = new byte[announced >= 0 ? segmentCount(announced) : 1][];
    }

    /** An empty body of {@code announced} bytes (its Content-Length), or of unknown length when -1. */
    static BodyBytes expecting(long announced) {
        if (announced > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a body of " + announced + " bytes does not fit in an int length");
        }
        return new BodyBytes((int) Math.max(-1, announced));
    }

    /** A copy of {@code bytes[0, length)}. */
    static BodyBytes copyOf(byte[] bytes, int length) {
        BodyBytes b = expecting(length);
        b.append(ByteBuffer.wrap(bytes, 0, length));
        return b;
    }

    private static int segmentCount(long bytes) {
        return (int) ((bytes + MASK) >>> SEGMENT_BITS);
    }

    int length() {
        return length;
    }

    /** The byte at {@code i}, in [0, {@link #length()}). */
    byte at(int i) {
        return segments[i >>> SEGMENT_BITS][i & MASK];
    }

    /** The segment that holds byte {@code i}. */
    byte[] segmentOf(int i) {
        return segments[i >>> SEGMENT_BITS];
    }

    /**
     * The bytes the segments would take after {@link #append}ing until the body is {@code size} bytes long (a body of
     * known length: {@code size} itself, rounded to no segment).
     */
    long capacityFor(long size) {
        if (size <= capacity) {
            return capacity;
        }
        if (announced >= 0) {
            return size;
        }
        long full = (size >>> SEGMENT_BITS) << SEGMENT_BITS; // the bytes of whole segments below the last one
        long tail = size - full;
        if (tail == 0) {
            return size;
        }
        long last = full == 0 ? FIRST_GROWING : SEGMENT;
        while (last < tail) {
            last *= 2;
        }
        return full + Math.min(SEGMENT, last);
    }

    /** Copies the bytes of {@code b} to the end of the body (within the announced length, when there is one). */
    void append(ByteBuffer b) {
        int r = b.remaining();
        if (announced >= 0 && r > announced - length) {
            throw new IllegalArgumentException(
                    r + " more bytes do not fit in a body of " + announced + " bytes (" + length + " there)");
        }
        while (r > 0) {
            byte[] seg = segment(length >>> SEGMENT_BITS, (length & MASK) + r);
            int off = length & MASK;
            int n = Math.min(r, seg.length - off);
            b.get(seg, off, n);
            length += n;
            r -= n;
        }
    }

    /** Segment {@code k}, allocated or grown so that it holds at least {@code want} bytes where it can. */
    private byte[] segment(int k, int want) {
        if (k == segments.length) {
            segments = Arrays.copyOf(segments, Math.max(4, 2 * k));
        }
        byte[] seg = segments[k];
        int size;
        if (announced >= 0) {
            size = (int) Math.min(SEGMENT, announced - ((long) k << SEGMENT_BITS));
        } else {
            size = seg == null ? (k == 0 ? FIRST_GROWING : SEGMENT) : seg.length;
            while (size < Math.min(want, SEGMENT)) {
                size *= 2;
            }
        }
        if (seg == null || seg.length < size) {
            capacity += size - (seg == null ? 0 : seg.length);
            seg = seg == null ? new byte[size] : Arrays.copyOf(seg, size);
            segments[k] = seg;
        }
        return seg;
    }

    /** The largest array the body holds now (at most {@link #SEGMENT}). */
    int largestSegment() {
        int m = 0;
        for (byte[] s : segments) {
            m = Math.max(m, s == null ? 0 : s.length);
        }
        return m;
    }

    /** Bytes of the segments allocated now. */
    long capacity() {
        return capacity;
    }
}
