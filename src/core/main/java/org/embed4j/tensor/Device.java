package org.embed4j.tensor;

/**
 * Where a tensor's memory lives. Host memory can be read from Java; CUDA memory is a device
 * pointer that Java never dereferences (copy it to the host through the backend first).
 */
public record Device(Kind kind, int index) {
    /** Kinds of memory. */
    public enum Kind {
        CPU,
        CUDA
    }

    /** Host memory. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    /** The CUDA device with this ordinal. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    public boolean isHost() {
        return kind == Kind.CPU;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
