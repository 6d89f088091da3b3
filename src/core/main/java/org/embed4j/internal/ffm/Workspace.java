package org.embed4j.internal.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native scratch for kernels that take a caller-provided workspace (index sort, word2vec):
 * one buffer per thread, grown to the largest request seen, so steady-state training allocates nothing.
 * The buffers live in automatic arenas: a buffer outgrown or left behind by a finished thread is freed by the
 * GC. The contents are garbage on entry. Not re-entrant: a caller must not hold two workspaces at once.
 * Thread-safe (each thread sees only its own buffer).
 */
public final class Workspace {
    private static final long ALIGN = 64;
    private static final ThreadLocal<MemorySegment> BUFFER = new ThreadLocal<>();

    private Workspace() {}

    /** A buffer of at least {@code bytes} bytes (64-byte aligned), valid until this thread asks again. */
    public static MemorySegment get(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("workspace size must be >= 0, got " + bytes);
        }
        MemorySegment buf = BUFFER.get();
        if (buf == null || buf.byteSize() < bytes) {
            // Grow by 1.5x so a slowly growing request does not reallocate every call.
            long size = Math.max(Math.max(bytes, 4096), buf == null ? 0 : buf.byteSize() + buf.byteSize() / 2);
            buf = Arena.ofAuto().allocate(size, ALIGN);
            BUFFER.set(buf);
        }
        return buf;
    }
}
