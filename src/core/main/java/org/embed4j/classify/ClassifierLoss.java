package org.embed4j.classify;

import java.util.Locale;

/**
 * The output layer's loss, with fastText's names:
 * <ul>
 *   <li>{@code softmax}: one label per example (a multi-label example contributes one of its labels, drawn at
 *       random, per update, as fastText does); probabilities sum to 1.</li>
 *   <li>{@code hs}: hierarchical softmax over a Huffman tree of the training label counts ({@link HuffmanTree}):
 *       an update trains only the logistic units on the target label's path, O(log K) instead of O(K); a label's
 *       probability is the product of the sigmoids along its path, and they sum to 1.</li>
 *   <li>{@code ns}: negative sampling: the target label with 1 and {@code neg} labels drawn from the label counts
 *       to the power 0.5 with 0, binary logistic loss; a label's probability is the raw sigmoid of its score, as
 *       fastText reports it (not normalised: they need not sum to 1).</li>
 *   <li>{@code ova}: one-vs-all, an independent logistic regression per label, so an example may carry several
 *       labels and each label's probability is a sigmoid of its own score.</li>
 * </ul>
 * {@code hs} and {@code ns} draw one label per update from a multi-label example, like softmax.
 */
public enum ClassifierLoss {
    SOFTMAX,
    OVA,
    HS,
    NS;

    /** fastText's spelling ("softmax", "hs", "ns", "ova"); anything else is an error that lists the choices. */
    public static ClassifierLoss parse(String name) {
        for (ClassifierLoss l : values()) {
            if (l.name().equalsIgnoreCase(name) || (l == OVA && "one-vs-all".equalsIgnoreCase(name))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss \"" + name + "\"; use softmax, hs, ns or ova");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
