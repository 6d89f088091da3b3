package org.embed4j.backend;

/** Optimizer update rules the update kernels implement; the ordinal is the C ABI's e4j_optim_kind. */
public enum OptimKind {
    SGD,
    ADAM,
    ADAMW,
    ADAGRAD,
    ROWWISE_ADAGRAD,
    SPARSE_ADAM
}
