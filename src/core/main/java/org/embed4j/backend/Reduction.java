package org.embed4j.backend;

/** Loss reduction with PyTorch's names; the ordinal is the C ABI's e4j_reduction. */
public enum Reduction {
    NONE,
    MEAN,
    SUM
}
