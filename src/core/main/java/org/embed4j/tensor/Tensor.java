package org.embed4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major, contiguous array: a {@link MemorySegment} plus a shape and a {@link DType}.
 *
 * <p>The memory is owned by exactly one {@link Arena}: either one this tensor created and closes
 * ({@link #allocate}, {@link #of}), or the caller's ({@link #allocate(Arena, DType, long...)}), or a
 * device allocation released by a backend-provided action (CUDA tensors). Views share the memory
 * and the lifetime of their base. Using a closed tensor throws {@link IllegalStateException}.
 *
 * <p>Not thread-safe for writes; concurrent reads of a tensor that nobody writes are fine. {@link #close()} may be
 * called from any thread, and a close that cannot free the memory yet leaves the tensor open.
 */
public final class Tensor implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment data;
    private final long[] shape;
    private final DType dtype;
    private final Device device;
    private final AutoCloseable owner; // null: the memory belongs to someone else (caller's arena, or a view)
    private volatile boolean closed;

    private Tensor(MemorySegment data, long[] shape, DType dtype, Device device, AutoCloseable owner) {
        this.data = data;
        this.shape = shape;
        this.dtype = dtype;
        this.device = device;
        this.owner = owner;
    }

    // ------------------------------------------------------------------ creation

    /** A zero-filled host tensor that owns its memory (free it with {@link #close()}). */
    @SuppressWarnings("MustBeClosedChecker") // the arena is handed to the tensor, whose close frees it
    public static Tensor allocate(DType dtype, long... shape) {
        long bytes = byteSize(dtype, shape);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
            return new Tensor(segment, shape.clone(), dtype, Device.CPU, arena);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** A zero-filled host tensor whose memory belongs to {@code arena}; {@link #close()} does nothing. */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Objects.requireNonNull(arena, "arena");
        long bytes = byteSize(dtype, shape);
        MemorySegment segment = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        return new Tensor(segment, shape.clone(), dtype, Device.CPU, null);
    }

    /**
     * Wraps memory owned elsewhere. {@code release} (may be null) runs once on {@link #close()}:
     * backends use it for device memory. For device tensors {@code data} is the raw device address.
     */
    public static Tensor wrap(MemorySegment data, DType dtype, Device device, AutoCloseable release, long... shape) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        long bytes = byteSize(dtype, shape);
        if (device.isHost() && data.byteSize() < bytes) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for shape "
                    + Arrays.toString(shape) + " " + dtype + " (" + bytes + " bytes)");
        }
        return new Tensor(data, shape.clone(), dtype, device, release);
    }

    /** A host F32 tensor holding a copy of {@code values}, with the given shape (default: 1-D). */
    public static Tensor of(float[] values, long... shape) {
        long[] s = shape.length == 0 ? new long[] {values.length} : shape;
        checkCount(values.length, s);
        Tensor t = allocate(DType.F32, s);
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    /** A host I32 tensor holding a copy of {@code values}. */
    public static Tensor of(int[] values, long... shape) {
        long[] s = shape.length == 0 ? new long[] {values.length} : shape;
        checkCount(values.length, s);
        Tensor t = allocate(DType.I32, s);
        MemorySegment.copy(values, 0, t.data, I32, 0, values.length);
        return t;
    }

    /** A host I64 tensor holding a copy of {@code values}. */
    public static Tensor of(long[] values, long... shape) {
        long[] s = shape.length == 0 ? new long[] {values.length} : shape;
        checkCount(values.length, s);
        Tensor t = allocate(DType.I64, s);
        MemorySegment.copy(values, 0, t.data, I64, 0, values.length);
        return t;
    }

    // ------------------------------------------------------------------ metadata

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative counts from the end like PyTorch. */
    public long size(int i) {
        int d = i < 0 ? shape.length + i : i;
        if (d < 0 || d >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " out of range for rank " + shape.length);
        }
        return shape[d];
    }

    public long numel() {
        return numel(shape);
    }

    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    public boolean isClosed() {
        return closed;
    }

    /** The memory; throws {@link IllegalStateException} if this tensor was closed. */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("tensor " + describe() + " is closed");
        }
        return data;
    }

    /** "F32[3, 4] on cpu". */
    public String describe() {
        return dtype + Arrays.toString(shape) + " on " + device;
    }

    @Override
    public String toString() {
        return "Tensor(" + describe() + (closed ? ", closed" : "") + ")";
    }

    // ------------------------------------------------------------------ views

    /** Same memory, another shape with the same element count (-1 infers one dimension). */
    public Tensor view(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be -1: " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known = Math.multiplyExact(known, s[i]);
            }
        }
        if (infer >= 0) {
            s[infer] = known == 0 ? 0 : numel() / known;
        }
        if (numel(s) != numel()) {
            throw new IllegalArgumentException("cannot view " + describe() + " as " + Arrays.toString(newShape));
        }
        return new Tensor(segment(), s, dtype, device, null);
    }

    /** Rows [from, to) of the first dimension, sharing memory. */
    public Tensor rows(long from, long to) {
        if (rank() == 0 || from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") out of range for " + describe());
        }
        long rowElems = shape[0] == 0 ? 0 : numel() / shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        long off = from * rowElems * dtype.byteSize();
        long len = (to - from) * rowElems * dtype.byteSize();
        MemorySegment seg = device.isHost()
                ? segment().asSlice(off, len)
                : MemorySegment.ofAddress(segment().address() + off);
        return new Tensor(seg, s, dtype, device, null);
    }

    // ------------------------------------------------------------------ host element access

    public float getFloat(long i) {
        requireHost(DType.F32);
        return segment().getAtIndex(F32, i);
    }

    public void setFloat(long i, float v) {
        requireHost(DType.F32);
        segment().setAtIndex(F32, i, v);
    }

    /** Element {@code i} of an integer tensor (I32 or I64) as a long. */
    public long getIndex(long i) {
        requireHostIndex();
        return dtype == DType.I32 ? segment().getAtIndex(I32, i) : segment().getAtIndex(I64, i);
    }

    public void setIndex(long i, long v) {
        requireHostIndex();
        if (dtype == DType.I32) {
            segment().setAtIndex(I32, i, Math.toIntExact(v));
        } else {
            segment().setAtIndex(I64, i, v);
        }
    }

    public float[] toFloatArray() {
        requireHost(DType.F32);
        return segment().toArray(ValueLayout.JAVA_FLOAT);
    }

    public int[] toIntArray() {
        requireHost(DType.I32);
        return segment().toArray(ValueLayout.JAVA_INT);
    }

    public long[] toLongArray() {
        requireHostIndex();
        if (dtype == DType.I64) {
            return segment().toArray(ValueLayout.JAVA_LONG);
        }
        int[] ints = segment().toArray(ValueLayout.JAVA_INT);
        long[] out = new long[ints.length];
        for (int i = 0; i < ints.length; i++) {
            out[i] = ints[i];
        }
        return out;
    }

    /** Copies {@code values} into this host F32 tensor. */
    public void copyFrom(float[] values) {
        requireHost(DType.F32);
        checkCount(values.length, shape);
        MemorySegment.copy(values, 0, segment(), F32, 0, values.length);
    }

    /**
     * Frees the memory this tensor owns (idempotent). Views and caller-arena tensors only mark themselves closed.
     * The tensor is marked closed only once its memory is freed: when freeing fails (a native call on another
     * thread still holds the memory: "Session is acquired by N clients"), the exception propagates and the tensor
     * stays open, usable and closable later. Concurrent closes free the memory once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (owner != null) {
                try {
                    owner.close();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("could not free " + describe() + ": " + e.getMessage(), e);
                }
            }
            closed = true;
        }
    }

    // ------------------------------------------------------------------ helpers

    private void requireHost(DType expected) {
        if (!device.isHost()) {
            throw new IllegalStateException("tensor " + describe() + " is on a device; copy it to the host first");
        }
        if (dtype != expected) {
            throw new IllegalArgumentException("expected a " + expected + " tensor, got " + describe());
        }
    }

    private void requireHostIndex() {
        if (!device.isHost()) {
            throw new IllegalStateException("tensor " + describe() + " is on a device; copy it to the host first");
        }
        if (dtype != DType.I32 && dtype != DType.I64) {
            throw new IllegalArgumentException("expected an I32 or I64 tensor, got " + describe());
        }
    }

    /** Product of the dimensions; rejects negatives and overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long byteSize(DType dtype, long[] shape) {
        Objects.requireNonNull(dtype, "dtype");
        return Math.multiplyExact(numel(shape), (long) dtype.byteSize());
    }

    private static void checkCount(int count, long[] shape) {
        if (numel(shape) != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape));
        }
    }
}
