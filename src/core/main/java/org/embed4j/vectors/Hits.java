package org.embed4j.vectors;

import java.util.Arrays;

/**
 * The answers of {@link ExactSearch#search} for Q queries: query j's best rows are {@code rows[j*k .. j*k+found[j])},
 * best first, with their cosines in {@code scores} (fewer than k only when the collection has fewer usable rows).
 * Arrays are owned by this record; treat them as read-only.
 */
public record Hits(int k, int[] rows, float[] scores, int[] found) {

    /** Number of queries answered. */
    public int queries() {
        return found.length;
    }

    /** Row ids of query j, best first. */
    public int[] rows(int j) {
        return Arrays.copyOfRange(rows, j * k, j * k + found[j]);
    }

    /** Cosines of query j, best first. */
    public float[] scores(int j) {
        return Arrays.copyOfRange(scores, j * k, j * k + found[j]);
    }
}
