package org.embed4j.nn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Parameter initialisation with PyTorch's default distributions (torch.nn.init), drawn from one
 * process-wide generator that {@link #manualSeed(long)} resets, like {@code torch.manual_seed}:
 * <ul>
 *   <li>{@link #normal}: N(mean, std²) — nn.Embedding's default N(0, 1);</li>
 *   <li>{@link #uniform}: U(low, high) — nn.Linear's kaiming_uniform_(a=√5), which works out to
 *       U(−1/√in, 1/√in) for the weight and the same bound for the bias.</li>
 * </ul>
 * The values are not PyTorch's (different generator), but the same seed and the same sequence of module
 * constructions give the same weights bit for bit, on every backend: the draws happen in Java, on the host.
 *
 * <p>Thread-safe: draws are serialised on the generator, so concurrent constructions are safe but their
 * interleaving (and therefore their values) is not deterministic.
 */
public final class Init {
    /** Floats drawn on the host per upload when a device table is initialised (4 MiB). */
    private static final long STAGING_FLOATS = 1L << 20;

    private static final Object LOCK = new Object();
    private static Random generator = new Random(0x5eed_e4_0L);

    private Init() {}

    /** Resets the process-wide generator, as {@code torch.manual_seed(seed)} does. */
    public static void manualSeed(long seed) {
        synchronized (LOCK) {
            generator = new Random(seed);
        }
    }

    /** A seed for a module-private generator (Dropout), drawn from the process-wide one. */
    public static long nextSeed() {
        synchronized (LOCK) {
            return generator.nextLong();
        }
    }

    /** Fills the host F32 tensor {@code t} with N(mean, std²). */
    public static void normal(Tensor t, double mean, double std) {
        MemorySegment seg = host(t);
        long n = t.numel();
        synchronized (LOCK) {
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (mean + std * generator.nextGaussian()));
            }
        }
    }

    /** Fills the host F32 tensor {@code t} with U(low, high). */
    public static void uniform(Tensor t, double low, double high) {
        MemorySegment seg = host(t);
        long n = t.numel();
        synchronized (LOCK) {
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(
                        ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (low + (high - low) * generator.nextDouble()));
            }
        }
    }

    /**
     * A new (rows, cols) F32 table on {@code backend}'s device with N(mean, std²) drawn in the order
     * {@link #normal} draws them, then row {@code zeroRow} (-1: none) zeroed: an embedding's weight. The table is
     * the only rows×cols allocation, on any backend: a host backend's is filled in place, a device backend's is
     * drawn on the host about 4 MiB at a time and uploaded piece by piece, so that neither a host copy of the table
     * nor a device staging copy exists. The values are the same bit for bit either way.
     */
    static Tensor normalTable(Backend backend, long rows, long cols, double mean, double std, long zeroRow) {
        Tensor table = backend.zeros(DType.F32, rows, cols);
        try {
            if (backend.device().isHost()) {
                normal(table, mean, std);
                zeroRow(table, zeroRow, 0, cols);
                return table;
            }
            long step = Math.max(1, STAGING_FLOATS / cols);
            try (Tensor staging = Tensor.allocate(DType.F32, Math.min(step, rows), cols)) {
                for (long r = 0; r < rows; r += step) {
                    long n = Math.min(step, rows - r);
                    Tensor part = staging.rows(0, n);
                    normal(part, mean, std);
                    zeroRow(part, zeroRow, r, cols);
                    Transfer.copyIn(backend, table.rows(r, r + n), part);
                }
            }
            return table;
        } catch (RuntimeException | Error e) {
            table.close();
            throw e;
        }
    }

    /** Zeroes row {@code row} of the whole table when it falls in {@code part}, whose first row is {@code first}. */
    private static void zeroRow(Tensor part, long row, long first, long cols) {
        if (row >= first && row < first + part.size(0)) {
            part.rows(row - first, row - first + 1).copyFrom(new float[Math.toIntExact(cols)]);
        }
    }

    private static MemorySegment host(Tensor t) {
        if (!t.device().isHost() || t.dtype() != DType.F32) {
            throw new IllegalArgumentException("initialisation needs a host F32 tensor, got " + t.describe());
        }
        return t.segment();
    }
}
