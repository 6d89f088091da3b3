package org.embed4j.classify;

import java.util.Arrays;
import java.util.Optional;
import org.embed4j.deploy.Precision;
import org.embed4j.internal.quant.RowQuantizer;

/**
 * A (rows, dim) weight matrix of a trained classifier, stored as float32 or quantized per row
 * ({@link Precision#INT8}: one signed byte per element and one float scale per row, {@code x ≈ scale · q};
 * {@link Precision#FP16}: half floats), with the two reads prediction needs. Quantized rows are dequantized on the
 * fly inside those reads, one element at a time, so a quantized model never holds a float copy of its matrix.
 * The element maps are {@link RowQuantizer}'s, the word-vector quantizer's. Hidden vectors and sums are double, as in {@link Supervised}; the per-row arithmetic is
 * {@link RowKernels}', shared with the memory-mapped form ({@link MappedMatrix}) that a loaded model reads.
 * The records here live on the heap: what training and {@link #quantize} produce. Immutable and thread-safe.
 */
sealed interface ClassifierMatrix
        permits ClassifierMatrix.Floats, ClassifierMatrix.Int8, ClassifierMatrix.Fp16, MappedMatrix {

    int rows();

    int dim();

    /** Empty for float32, else how the elements are stored. */
    Optional<Precision> precision();

    /** Bytes the elements (and scales) take in memory and on disk. */
    long storageBytes();

    /**
     * hidden = mean of rows {@code rowIds[0 .. count)} (a row named twice counts twice); zeros when count is 0.
     * {@code scratch} is the calling thread's (a mapped matrix copies each row into it).
     */
    void meanRows(int[] rowIds, int count, double[] hidden, RowScratch scratch);

    /** scores[r] = row r · hidden for every r below scores.length. */
    void dotRows(double[] hidden, double[] scores, RowScratch scratch);

    /** One row of each storage, for a matrix that reads its rows from outside the heap. Owned by one thread. */
    final class RowScratch {
        final float[] floats;
        final byte[] bytes;
        final short[] halves;

        RowScratch(int dim) {
            floats = new float[dim];
            bytes = new byte[dim];
            halves = new short[dim];
        }
    }

    /** This matrix stored with {@code precision}; quantizing a quantized matrix is refused. */
    default ClassifierMatrix quantize(Precision precision) {
        throw new IllegalStateException("the matrix is already quantized ("
                + precision().orElseThrow() + "); quantize the float model instead");
    }

    private static void requireShape(int rows, int dim, int length, String what) {
        if (rows < 0 || dim < 1 || (long) rows * dim != length) {
            throw new IllegalArgumentException(what + " of " + length + " elements is not " + rows + " x " + dim);
        }
    }

    /** float32, the form training produces. {@code data} is (rows, dim) row-major and is not copied. */
    record Floats(float[] data, int rows, int dim) implements ClassifierMatrix {
        public Floats {
            requireShape(rows, dim, data.length, "float matrix");
        }

        @Override
        public Optional<Precision> precision() {
            return Optional.empty();
        }

        @Override
        public long storageBytes() {
            return (long) data.length * Float.BYTES;
        }

        @Override
        public void meanRows(int[] rowIds, int count, double[] hidden, RowScratch scratch) {
            Arrays.fill(hidden, 0, dim, 0.0);
            for (int i = 0; i < count; i++) {
                RowKernels.add(data, rowIds[i] * dim, hidden, dim);
            }
            RowKernels.toMean(hidden, dim, count);
        }

        @Override
        public void dotRows(double[] hidden, double[] scores, RowScratch scratch) {
            for (int r = 0; r < scores.length; r++) {
                scores[r] = RowKernels.dot(data, r * dim, hidden, dim);
            }
        }

        @Override
        public ClassifierMatrix quantize(Precision precision) {
            switch (precision) {
                case INT8 -> {
                    byte[] q = new byte[data.length];
                    float[] scales = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        scales[r] = RowQuantizer.int8(r, data, r * dim, dim, q, r * dim);
                    }
                    return new Int8(q, scales, rows, dim);
                }
                case FP16 -> {
                    short[] h = new short[data.length];
                    for (int r = 0; r < rows; r++) {
                        RowQuantizer.fp16(r, data, r * dim, dim, h, r * dim);
                    }
                    return new Fp16(h, rows, dim);
                }
                default -> throw new IllegalArgumentException("unknown precision " + precision);
            }
        }
    }

    /** int8 with a float scale per row: element (r, d) is {@code scales[r] · q[r·dim + d]}. */
    record Int8(byte[] q, float[] scales, int rows, int dim) implements ClassifierMatrix {
        public Int8 {
            requireShape(rows, dim, q.length, "int8 matrix");
            if (scales.length != rows) {
                throw new IllegalArgumentException(scales.length + " row scales for " + rows + " rows");
            }
        }

        @Override
        public Optional<Precision> precision() {
            return Optional.of(Precision.INT8);
        }

        @Override
        public long storageBytes() {
            return q.length + (long) scales.length * Float.BYTES;
        }

        @Override
        public void meanRows(int[] rowIds, int count, double[] hidden, RowScratch scratch) {
            Arrays.fill(hidden, 0, dim, 0.0);
            for (int i = 0; i < count; i++) {
                int r = rowIds[i];
                RowKernels.add(q, r * dim, scales[r], hidden, dim);
            }
            RowKernels.toMean(hidden, dim, count);
        }

        @Override
        public void dotRows(double[] hidden, double[] scores, RowScratch scratch) {
            for (int r = 0; r < scores.length; r++) {
                scores[r] = scales[r] * RowKernels.dot(q, r * dim, hidden, dim);
            }
        }
    }

    /** IEEE half floats. */
    record Fp16(short[] halves, int rows, int dim) implements ClassifierMatrix {
        public Fp16 {
            requireShape(rows, dim, halves.length, "fp16 matrix");
        }

        @Override
        public Optional<Precision> precision() {
            return Optional.of(Precision.FP16);
        }

        @Override
        public long storageBytes() {
            return (long) halves.length * Short.BYTES;
        }

        @Override
        public void meanRows(int[] rowIds, int count, double[] hidden, RowScratch scratch) {
            Arrays.fill(hidden, 0, dim, 0.0);
            for (int i = 0; i < count; i++) {
                RowKernels.add(halves, rowIds[i] * dim, hidden, dim);
            }
            RowKernels.toMean(hidden, dim, count);
        }

        @Override
        public void dotRows(double[] hidden, double[] scores, RowScratch scratch) {
            for (int r = 0; r < scores.length; r++) {
                scores[r] = RowKernels.dot(halves, r * dim, hidden, dim);
            }
        }
    }
}
