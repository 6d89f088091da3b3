package org.embed4j.backend;

/** How {@code EmbeddingBag} reduces a bag; the ordinal is the C ABI's e4j_bag_mode. */
public enum BagMode {
    SUM,
    MEAN,
    MAX
}
