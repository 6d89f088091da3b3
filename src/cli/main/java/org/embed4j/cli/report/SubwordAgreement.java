package org.embed4j.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.vectors.WordVectors;

/**
 * What shrinking a subword model does to the vectors of words outside its vocabulary, which WS353 and the
 * analogies cannot show (they look up vocabulary words only): the cosine between a probe word's vector before
 * and after, as mean and minimum over the probes.
 * <ul>
 *   <li>{@link #ofQuantized}: made-up out-of-vocabulary words (a vocabulary word plus "s", or "un" before it,
 *       when that is not a word too), built from subwords in both models: the quantization error of OOV vectors.</li>
 *   <li>{@link #ofPruned}: the words pruning dropped: their own row before, their subword vector after.</li>
 * </ul>
 * Probes are taken most frequent first, at most {@code maxProbes}. Immutable.
 */
public record SubwordAgreement(int probes, double meanCosine, double minCosine) {

    /** Float model {@code before} against its quantized copy {@code after}, on made-up OOV words. */
    public static SubwordAgreement ofQuantized(WordVectors before, QuantizedVectors after, int maxProbes) {
        requireSubwords(before, after.hasSubwords());
        List<String> probes = new ArrayList<>();
        for (int r = 0; r < before.size() && probes.size() < maxProbes; r++) {
            String w = before.words().get(r);
            String probe = before.contains(w + "s") ? "un" + w : w + "s";
            if (!before.contains(probe)) {
                probes.add(probe);
            }
        }
        return of(probes, before::vector, after::vector);
    }

    /** The words of {@code before} that {@code after} (its first rows) dropped: own row against subword vector. */
    public static SubwordAgreement ofPruned(WordVectors before, WordVectors after, int maxProbes) {
        requireSubwords(before, after.hasSubwords());
        int end = (int) Math.min(before.size(), (long) after.size() + maxProbes);
        return of(before.words().subList(after.size(), end), before::vector, after::vector);
    }

    /** "mean 0.999312, min 0.997104 over 1000 words". */
    public String describe() {
        return probes == 0
                ? "no probe words"
                : String.format(Locale.ROOT, "mean %.6f, min %.6f over %d words", meanCosine, minCosine, probes);
    }

    private static SubwordAgreement of(
            List<String> probes, Function<String, float[]> before, Function<String, float[]> after) {
        double sum = 0;
        double min = Double.NaN;
        for (String w : probes) {
            double c = WordVectors.cosine(before.apply(w), after.apply(w));
            sum += c;
            min = Double.isNaN(min) ? c : Math.min(min, c);
        }
        return new SubwordAgreement(probes.size(), probes.isEmpty() ? Double.NaN : sum / probes.size(), min);
    }

    private static void requireSubwords(WordVectors before, boolean afterHasSubwords) {
        Objects.requireNonNull(before, "before");
        if (!before.hasSubwords() || !afterHasSubwords) {
            throw new IllegalArgumentException("both models need subword rows to compare OOV vectors; " + before
                    + (afterHasSubwords ? "" : " (the shrunk model has none)"));
        }
    }
}
