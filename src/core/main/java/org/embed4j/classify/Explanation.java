package org.embed4j.classify;

import java.util.List;

/**
 * Why a classifier scored a label as it did: the label's {@code logit} (its score before softmax or sigmoid), its
 * {@code probability}, and each term's share of the logit, top contributors (most positive) first. The shares and
 * the {@code bias} add up to the logit: {@code logit = bias + Σ contributions}. For a fastText-style model (logit =
 * output row · mean of the input rows) a term's share is the dot of the label's output row with the term's input
 * row divided by the number of rows, and the bias is 0; for the MLP it is gradient × input (the logit's gradient
 * with respect to the term's embedding, dotted with it), and the bias holds what the layers' biases add.
 * A term that occurs twice has one entry with both shares. Immutable.
 *
 * @param label         the label
 * @param probability   as {@link Classifier#predict} reports it
 * @param logit         the label's score before the output non-linearity
 * @param bias          the part of the logit that no term accounts for
 * @param contributions terms (words, word n-grams, character n-grams, the end-of-line token) and their shares,
 *                      largest first
 */
public record Explanation(
        String label, double probability, double logit, double bias, List<Contribution> contributions) {

    public Explanation {
        contributions = List.copyOf(contributions);
    }

    /** One term's share of a label's logit. */
    public record Contribution(String term, double value) {}

    /**
     * An explanation from per-occurrence shares: {@code shares[i]} belongs to {@code terms.get(i)}; equal terms are
     * summed and the result ordered largest first (ties: the term's first appearance).
     */
    public static Explanation of(
            String label, double probability, double logit, double bias, List<String> terms, double[] shares) {
        if (terms.size() != shares.length) {
            throw new IllegalArgumentException(terms.size() + " terms for " + shares.length + " shares");
        }
        return new Explanation(label, probability, logit, bias, merged(terms, shares));
    }

    private static List<Contribution> merged(List<String> terms, double[] values) {
        java.util.Map<String, Double> sums = new java.util.LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            sums.merge(terms.get(i), values[i], Double::sum);
        }
        List<Contribution> out = new java.util.ArrayList<>(sums.size());
        sums.forEach((t, v) -> out.add(new Contribution(t, v)));
        out.sort((a, b) -> Double.compare(b.value(), a.value()));
        return out;
    }
}
