package org.embed4j.classify;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.embed4j.deploy.Precision;
import org.embed4j.internal.quant.RowQuantizer;

/**
 * A (rows, dim) classifier matrix read in place from a memory-mapped model file ({@link ClassifierFile}), in the
 * file's little-endian storage: float32 or fp16 elements, or int8 elements after one float scale per row. Nothing
 * is copied at load time, so a model of millions of hash buckets opens in the time its vocabulary takes, and
 * every JVM that maps the same file shares its pages with the page cache.
 *
 * <p>A read copies each row it needs into the calling thread's {@link ClassifierMatrix.RowScratch} (one bulk copy,
 * which also works at the unaligned offsets the format puts matrices at) and runs {@link RowKernels} on it, so the
 * results are bit for bit those of the heap matrix the file was written from. The segments are slices of a
 * mapping owned by the model's scope: it is unmapped when the model is closed (after the calls in flight on it) or
 * becomes unreachable, never under a reader. Row ids come from the model's {@link Dictionary} and segment access is bounds-checked, so a read never
 * leaves the mapping. Immutable and thread-safe.
 */
final class MappedMatrix implements ClassifierMatrix {
    private static final ValueLayout.OfFloat LE_F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Precision precision; // null: float32
    private final MemorySegment scales; // int8: (rows) float32; otherwise empty
    private final MemorySegment elements; // (rows, dim) float32, int8 or fp16
    private final int rows;
    private final int dim;
    private final Path file;
    private final long scalesAt; // byte offsets in the file, for messages
    private final long elementsAt;

    /**
     * Reads {@code scales} and {@code elements}, found at byte offsets {@code scalesAt} and {@code elementsAt} of
     * {@code file}, which the caller sized from {@code rows} and {@code dim} (an {@code IllegalArgumentException} says
     * when they do not fit).
     */
    MappedMatrix(
            Precision precision,
            MemorySegment scales,
            MemorySegment elements,
            int rows,
            int dim,
            Path file,
            long scalesAt,
            long elementsAt) {
        long elementBytes = precision == null ? Float.BYTES : precision == Precision.INT8 ? 1 : Short.BYTES;
        long scaleBytes = precision == Precision.INT8 ? (long) rows * Float.BYTES : 0;
        if (rows < 0
                || dim < 1
                || elements.byteSize() != (long) rows * dim * elementBytes
                || scales.byteSize() != scaleBytes) {
            throw new IllegalArgumentException("mapped " + (precision == null ? "float32" : precision) + " matrix of "
                    + elements.byteSize() + " + " + scales.byteSize() + " bytes is not " + rows + " x " + dim);
        }
        this.precision = precision;
        this.scales = scales;
        this.elements = elements;
        this.rows = rows;
        this.dim = dim;
        this.file = file;
        this.scalesAt = scalesAt;
        this.elementsAt = elementsAt;
    }

    /**
     * Null when row {@code r} holds only finite values (and, for int8, a finite scale), else what is wrong with it,
     * naming the file and the byte offset. The file is not read row by row when it is mapped (that would cost a pass
     * over the whole matrix): a prediction that comes out non-finite asks the rows it used, to name the bad one.
     */
    String rowProblem(int r) {
        long at = (long) r * dim;
        if (precision == Precision.INT8) {
            float scale = scales.getAtIndex(LE_F32, r);
            return Float.isFinite(scale)
                    ? null
                    : "corrupt classifier file " + file + " at byte offset " + (scalesAt + r * 4L)
                            + ": the scale of row " + r + " is " + scale;
        }
        for (int d = 0; d < dim; d++) {
            float x = precision == null
                    ? elements.getAtIndex(LE_F32, at + d)
                    : Float.float16ToFloat(elements.getAtIndex(LE_I16, at + d));
            if (!Float.isFinite(x)) {
                long bytes = precision == null ? Float.BYTES : Short.BYTES;
                return "corrupt classifier file " + file + " at byte offset " + (elementsAt + (at + d) * bytes)
                        + ": value " + (d + 1) + " of row " + r + " is " + x + " (weights must be finite)";
            }
        }
        return null;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public Optional<Precision> precision() {
        return Optional.ofNullable(precision);
    }

    @Override
    public long storageBytes() {
        return scales.byteSize() + elements.byteSize();
    }

    /** The int8 row scales as stored (little-endian float32); empty for the other storages. */
    MemorySegment scales() {
        return scales;
    }

    /** The elements as stored, little-endian, row-major. */
    MemorySegment elements() {
        return elements;
    }

    @Override
    public void meanRows(int[] rowIds, int count, double[] hidden, RowScratch scratch) {
        Arrays.fill(hidden, 0, dim, 0.0);
        for (int i = 0; i < count; i++) {
            addRow(rowIds[i], hidden, scratch);
        }
        RowKernels.toMean(hidden, dim, count);
    }

    private void addRow(int r, double[] hidden, RowScratch s) {
        long at = (long) r * dim;
        if (precision == null) {
            MemorySegment.copy(elements, LE_F32, at * Float.BYTES, s.floats, 0, dim);
            RowKernels.add(s.floats, 0, hidden, dim);
        } else if (precision == Precision.INT8) {
            MemorySegment.copy(elements, ValueLayout.JAVA_BYTE, at, s.bytes, 0, dim);
            RowKernels.add(s.bytes, 0, scales.getAtIndex(LE_F32, r), hidden, dim);
        } else {
            MemorySegment.copy(elements, LE_I16, at * Short.BYTES, s.halves, 0, dim);
            RowKernels.add(s.halves, 0, hidden, dim);
        }
    }

    @Override
    public void dotRows(double[] hidden, double[] scores, RowScratch s) {
        for (int r = 0; r < scores.length; r++) {
            long at = (long) r * dim;
            if (precision == null) {
                MemorySegment.copy(elements, LE_F32, at * Float.BYTES, s.floats, 0, dim);
                scores[r] = RowKernels.dot(s.floats, 0, hidden, dim);
            } else if (precision == Precision.INT8) {
                MemorySegment.copy(elements, ValueLayout.JAVA_BYTE, at, s.bytes, 0, dim);
                scores[r] = scales.getAtIndex(LE_F32, r) * RowKernels.dot(s.bytes, 0, hidden, dim);
            } else {
                MemorySegment.copy(elements, LE_I16, at * Short.BYTES, s.halves, 0, dim);
                scores[r] = RowKernels.dot(s.halves, 0, hidden, dim);
            }
        }
    }

    /** A heap copy quantized row by row, exactly as {@link ClassifierMatrix.Floats#quantize} would do it. */
    @Override
    public ClassifierMatrix quantize(Precision target) {
        if (precision != null) {
            return ClassifierMatrix.super.quantize(target);
        }
        long n = (long) rows * dim;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "a " + rows + " x " + dim + " matrix is too large to quantize on the heap");
        }
        float[] row = new float[dim];
        switch (target) {
            case INT8 -> {
                byte[] q = new byte[(int) n];
                float[] rowScales = new float[rows];
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(elements, LE_F32, (long) r * dim * Float.BYTES, row, 0, dim);
                    rowScales[r] = RowQuantizer.int8(r, row, 0, dim, q, r * dim);
                }
                return new ClassifierMatrix.Int8(q, rowScales, rows, dim);
            }
            case FP16 -> {
                short[] h = new short[(int) n];
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(elements, LE_F32, (long) r * dim * Float.BYTES, row, 0, dim);
                    RowQuantizer.fp16(r, row, 0, dim, h, r * dim);
                }
                return new ClassifierMatrix.Fp16(h, rows, dim);
            }
            default -> throw new IllegalArgumentException("unknown precision " + target);
        }
    }
}
