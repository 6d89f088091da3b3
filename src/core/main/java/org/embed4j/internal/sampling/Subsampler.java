package org.embed4j.internal.sampling;

/**
 * word2vec's subsampling of frequent words: word w with corpus frequency f = count/total is kept with
 * probability min(1, (sqrt(f/t) + 1) · t/f) for threshold t (word2vec's -sample, default 1e-4);
 * t = 0 keeps every word. Must match word2vec C's formula.
 *
 * <p>The keep probabilities are precomputed once; the random draw is the caller's, so each worker
 * thread uses its own generator and a fixed seed gives a reproducible run. Immutable and thread-safe.
 */
public final class Subsampler {
    private final float[] keep;

    public Subsampler(long[] counts, double sample) {
        if (!(sample >= 0) || Double.isInfinite(sample)) {
            throw new IllegalArgumentException("sample must be a finite number >= 0, got " + sample);
        }
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("word counts must be >= 0, got " + c);
            }
            total += c;
        }
        keep = new float[counts.length];
        for (int w = 0; w < counts.length; w++) {
            if (sample == 0 || counts[w] == 0) {
                keep[w] = 1.0f;
                continue;
            }
            double st = sample * total;
            double p = (Math.sqrt(counts[w] / st) + 1) * st / counts[w];
            keep[w] = (float) Math.min(1.0, p);
        }
    }

    /** The probability of keeping word {@code w}. */
    public float keepProbability(int w) {
        return keep[w];
    }

    /** Whether to keep word {@code w} given a uniform draw {@code u} in [0,1). */
    public boolean keep(int w, float u) {
        return u < keep[w];
    }

    public int size() {
        return keep.length;
    }
}
