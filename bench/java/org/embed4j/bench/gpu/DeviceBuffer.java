package org.embed4j.bench.gpu;

import java.lang.foreign.MemorySegment;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A cudaMalloc'ed device buffer, seen three ways: the JavaCPP pointer (presets' calls), a typed float view (cuBLAS),
 * and a zero-length segment holding the address (our kernels through FFM; Java never dereferences it). Freed by
 * {@link #close()}. Not thread-safe.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final Pointer pointer;
    private final long bytes;
    private final FloatPointer floats;

    DeviceBuffer(Pointer pointer, long bytes) {
        this.pointer = pointer;
        this.bytes = bytes;
        this.floats = new FloatPointer(pointer);
    }

    public Pointer pointer() {
        return pointer;
    }

    public FloatPointer floats() {
        return floats;
    }

    public long bytes() {
        return bytes;
    }

    /** The device address as an FFM argument. */
    public MemorySegment segment() {
        return MemorySegment.ofAddress(pointer.address());
    }

    @Override
    public void close() {
        if (!pointer.isNull()) {
            GpuDevice.check(cudart.cudaFree(pointer), "cudaFree");
            pointer.setNull();
        }
    }
}
