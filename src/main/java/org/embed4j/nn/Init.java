package org.embed4j.nn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
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
    private static final Object LOCK = new Object();
    private static Random generator = new Random(0x5eed_e4_0L);

    private Init() {
    }

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
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (low + (high - low) * generator.nextDouble()));
            }
        }
    }

    private static MemorySegment host(Tensor t) {
        if (!t.device().isHost() || t.dtype() != org.embed4j.tensor.DType.F32) {
            throw new IllegalArgumentException("initialisation needs a host F32 tensor, got " + t.describe());
        }
        return t.segment();
    }
}
