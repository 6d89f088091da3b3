package org.embed4j.tensor;

/** Element types a {@link Tensor} can hold; all little-endian, as the native kernels read them. */
public enum DType {
    F32(4, "F32"),
    I32(4, "I32"),
    I64(8, "I64"),
    /** Signed bytes: the elements of int8-quantized rows. */
    I8(1, "I8");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype string safetensors headers use ("F32", "I32", "I64", "I8"). */
    public String safetensorsName() {
        return safetensorsName;
    }
}
