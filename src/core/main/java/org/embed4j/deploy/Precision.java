package org.embed4j.deploy;

import java.util.Locale;

/**
 * How {@link QuantizedVectors} store each vector element. {@link #INT8}: one signed byte per element and one
 * float scale per row, symmetric ({@code scale = max|x| / 127}, {@code x ≈ scale · q}), like PyTorch's
 * per-channel {@code torch.qint8} with zero point 0; {@link #FP16}: IEEE half precision
 * ({@link Float#floatToFloat16}), like {@code tensor.half()}.
 */
public enum Precision {
    INT8(1, Byte.BYTES),
    FP16(2, Short.BYTES);

    private final int code;
    private final int bytesPerElement;

    Precision(int code, int bytesPerElement) {
        this.code = code;
        this.bytesPerElement = bytesPerElement;
    }

    /** The number that stands for this precision in a quantized vectors file. */
    int code() {
        return code;
    }

    /** Bytes per stored vector element (the per-row scale of INT8 not included). */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** The precision with file code {@code code}, or null when there is none. */
    static Precision ofCode(int code) {
        for (Precision p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }

    /** "int8" / "fp16". */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
