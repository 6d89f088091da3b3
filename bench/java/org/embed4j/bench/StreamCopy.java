package org.embed4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The memory-bandwidth roof of this machine, STREAM "copy" style: dst = src over two off-heap arrays far larger
 * than the last-level cache (256 MiB each vs 32 MiB L3), split across the same number of threads the native
 * kernels use (-Dembed4j.threads). Bandwidth counts bytes read plus bytes written (STREAM's convention), so a
 * kernel's effective GB/s divided by this is the fraction of the roof it reaches. Not thread-safe; one per trial.
 */
final class StreamCopy implements AutoCloseable {
    static final long BYTES = 256L << 20;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment src = arena.allocate(BYTES, 64);
    private final MemorySegment dst = arena.allocate(BYTES, 64);
    private final int threads;
    private final ExecutorService pool;

    StreamCopy(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(this.threads);
        src.fill((byte) 1); // touch every page so the first timed copy does not pay page faults
        dst.fill((byte) 0);
    }

    /** Bytes one {@link #run()} moves, read + written. */
    static long bytesMoved() {
        return 2 * BYTES;
    }

    void run() throws Exception {
        long chunk = (BYTES / threads) & ~63L;
        List<Future<?>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            long from = t * chunk;
            long len = t == threads - 1 ? BYTES - from : chunk;
            parts.add(pool.submit(() -> MemorySegment.copy(src, from, dst, from, len)));
        }
        for (Future<?> f : parts) {
            f.get();
        }
    }

    /** Throws unless dst equals src: the copy really happened. */
    void check() throws Exception {
        src.fill((byte) 7);
        run();
        if (dst.mismatch(src) != -1) {
            throw new IllegalStateException("stream copy left dst different from src at byte " + dst.mismatch(src));
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        arena.close();
    }
}
