package org.embed4j.vectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;
import org.embed4j.io.Snippet;

/**
 * What every row of word vectors must be, and the check of it: every value finite, and the row's L2 norm (summed in
 * double) a finite float, so that no cosine, norm or JSON answer computed from it is NaN or infinite; where the file
 * stores row norms (.e4jv), the stored norm must be the row's norm, so that a cosine stays within [-1, 1].
 *
 * <p>The readers that copy rows into memory check each row as they read it (the static helpers). A memory-mapped
 * file is not read when it opens (that would cost a pass over the whole matrix, which is what mapping avoids), so
 * its rows are checked when they are first used: an instance from {@link #mapped} checks a row before a lookup
 * returns it, before a search answer names it, and before its norm is used, and remembers the rows that passed (one
 * bit per row), so a row is checked once, not on every lookup. A bad row is an {@link UncheckedIOException} naming
 * the file, the byte offset, the row and its word, each time it is used; the other rows keep working. A file changed
 * in place after its rows were checked is the file watch's to find, not this check's. Thread-safe.
 */
final class RowCheck {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Relative difference allowed between a stored norm and the norm recomputed from the row. */
    private static final double NORM_TOLERANCE = 1e-3;

    /** For rows checked when they were read: does nothing. */
    static final RowCheck NONE = new RowCheck(null, null, 0, null, 0, null, 0, null, 0, null, null);

    private final Path file; // null: NONE
    private final Vocab vocab;
    private final int dim;
    private final MemorySegment matrix;
    private final long matrixAt;
    private final MemorySegment norms; // stored norms or null
    private final long normsAt;
    private final MemorySegment buckets; // or null
    private final long bucketsAt;
    private final AtomicLongArray rowsPassed; // bit r: word row r passed; null for NONE
    private final AtomicLongArray bucketsPassed; // bit b: bucket row b passed; null without buckets

    private RowCheck(
            Path file,
            Vocab vocab,
            int dim,
            MemorySegment matrix,
            long matrixAt,
            MemorySegment norms,
            long normsAt,
            MemorySegment buckets,
            long bucketsAt,
            AtomicLongArray rowsPassed,
            AtomicLongArray bucketsPassed) {
        this.file = file;
        this.vocab = vocab;
        this.dim = dim;
        this.matrix = matrix;
        this.matrixAt = matrixAt;
        this.norms = norms;
        this.normsAt = normsAt;
        this.buckets = buckets;
        this.bucketsAt = bucketsAt;
        this.rowsPassed = rowsPassed;
        this.bucketsPassed = bucketsPassed;
    }

    /**
     * Checks for the sections of a mapped file: {@code matrix} (V,D), {@code norms} (V) or null and {@code buckets}
     * or null, native order, found at the given byte offsets of {@code file}.
     */
    static RowCheck mapped(
            Path file,
            Vocab vocab,
            int dim,
            MemorySegment matrix,
            long matrixAt,
            MemorySegment norms,
            long normsAt,
            MemorySegment buckets,
            long bucketsAt) {
        long rowBytes = (long) dim * Float.BYTES;
        return new RowCheck(
                file,
                vocab,
                dim,
                matrix,
                matrixAt,
                norms,
                normsAt,
                buckets,
                bucketsAt,
                bits(matrix.byteSize() / rowBytes),
                buckets == null ? null : bits(buckets.byteSize() / rowBytes));
    }

    private static AtomicLongArray bits(long rows) {
        return new AtomicLongArray(Math.toIntExact((rows + 63) >>> 6));
    }

    private static boolean passed(AtomicLongArray bits, long i) {
        return (bits.get((int) (i >>> 6)) & (1L << i)) != 0;
    }

    private static void pass(AtomicLongArray bits, long i) {
        bits.accumulateAndGet((int) (i >>> 6), 1L << i, (a, b) -> a | b);
    }

    /** This check for the first rows of the same matrix (a view keeps the parent's rows and file offsets). */
    RowCheck view(Vocab viewVocab) {
        return file == null ? NONE : new RowCheck(this, viewVocab);
    }

    /** {@code parent}'s check with another vocabulary: the same rows, offsets and record of rows that passed. */
    private RowCheck(RowCheck parent, Vocab vocab) {
        this(
                parent.file,
                vocab,
                parent.dim,
                parent.matrix,
                parent.matrixAt,
                parent.norms,
                parent.normsAt,
                parent.buckets,
                parent.bucketsAt,
                parent.rowsPassed,
                parent.bucketsPassed);
    }

    /** Throws when word row {@code row} is not valid (see the class comment); nothing for checked-on-read rows. */
    void row(long row) {
        if (file == null || passed(rowsPassed, row)) {
            return;
        }
        long base = row * dim;
        int bad = firstBad(matrix, base, dim);
        if (bad >= 0) {
            throw corrupt(
                    matrixAt + (base + Math.min(bad, dim - 1)) * Float.BYTES, row, problem(matrix, base, bad, dim));
        }
        if (norms != null) {
            float stored = norms.getAtIndex(F32, row);
            double actual = Math.sqrt(sumOfSquares(matrix, base, dim));
            if (!(Math.abs(stored - actual) <= NORM_TOLERANCE * actual)) {
                throw corrupt(
                        normsAt + row * Float.BYTES,
                        row,
                        "the stored norm " + stored + " is not the row's norm " + (float) actual);
            }
        }
        pass(rowsPassed, row);
    }

    /** Throws when subword bucket row {@code bucket} has a non-finite value or a norm that overflows. */
    void bucket(long bucket) {
        if (file == null || buckets == null || passed(bucketsPassed, bucket)) {
            return;
        }
        long base = bucket * dim;
        int bad = firstBad(buckets, base, dim);
        if (bad >= 0) {
            throw unchecked(FormatSupport.corrupt(
                    file,
                    bucketsAt + (base + Math.min(bad, dim - 1)) * Float.BYTES,
                    "subword bucket row " + bucket + ": " + problem(buckets, base, bad, dim)));
        }
        pass(bucketsPassed, bucket);
    }

    private UncheckedIOException corrupt(long offset, long row, String problem) {
        String word = row < vocab.size() ? " (word '" + Snippet.of(vocab.word((int) row)) + "')" : "";
        return unchecked(FormatSupport.corrupt(file, offset, "row " + row + word + ": " + problem));
    }

    /** {@code e} unchecked, with its message as it is (no "java.io.IOException: " before it). */
    private static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }

    // ------------------------------------------------------------------ the rule, for the readers

    /**
     * -1 when the {@code dim} floats at element {@code base} are a valid row; else the column of the first
     * non-finite value, or {@code dim} when every value is finite but the norm is not a finite float.
     */
    static int firstBad(MemorySegment m, long base, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            float x = m.getAtIndex(F32, base + d);
            if (!Float.isFinite(x)) {
                return d;
            }
            s += (double) x * x;
        }
        return Math.sqrt(s) <= Float.MAX_VALUE ? -1 : dim;
    }

    /** {@link #firstBad(MemorySegment, long, int)} on an array. */
    static int firstBad(float[] a, int base, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            float x = a[base + d];
            if (!Float.isFinite(x)) {
                return d;
            }
            s += (double) x * x;
        }
        return Math.sqrt(s) <= Float.MAX_VALUE ? -1 : dim;
    }

    /** What {@link #firstBad} found, for a message: "value 3 is NaN" or "its norm overflows float". */
    static String problem(MemorySegment m, long base, int bad, int dim) {
        return problem(bad, bad < dim ? m.getAtIndex(F32, base + bad) : 0f, dim);
    }

    static String problem(float[] a, int base, int bad, int dim) {
        return problem(bad, bad < dim ? a[base + bad] : 0f, dim);
    }

    private static String problem(int bad, float value, int dim) {
        if (bad >= dim) {
            return "its norm overflows float (values too large for cosine arithmetic)";
        }
        return "value " + (bad + 1) + " is " + value + " (vectors must be finite)";
    }

    private static double sumOfSquares(MemorySegment m, long base, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            float x = m.getAtIndex(F32, base + d);
            s += (double) x * x;
        }
        return s;
    }

    /** Checks every row of an in-memory (rows,D) matrix as a reader does; the message names {@code what}. */
    static void checkAll(MemorySegment m, long rows, int dim, RowNamer names) throws IOException {
        for (long r = 0; r < rows; r++) {
            int bad = firstBad(m, r * dim, dim);
            if (bad >= 0) {
                throw names.corrupt(r, bad, problem(m, r * dim, bad, dim));
            }
        }
    }

    /** Turns a bad row into the reader's exception (which names its file and where the row is). */
    interface RowNamer {
        IOException corrupt(long row, int column, String problem);
    }
}
