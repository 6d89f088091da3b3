/* xent.h — the arguments of the softmax cross-entropy row primitives (xent_rows, all_finite and
 * xent_targets_ok in kernels.h), shared by e4j_softmax_xent (api/xent.c: checks, reduction constants, the
 * fixed row blocks and the parallel driver) and its row kernels: ref/xent_ref.c (plain scalar loops in double: the
 * C specification), avx2/xent_avx2.c + xent_row_avx2.c and avx512/xent_avx512.c (float math with a polynomial
 * exp/log). All compute, for each non-ignored row i with target t (see api/xent.c for the math):
 *   loss_i = (1-eps)*w_t*(lse - x_t) + (eps/K)*sum_j w_j*(lse - x_j)
 *   dx_j   = s*[(1-eps)*w_t*(p_j - [j==t]) + (eps/K)*(p_j*W - w_j)]        W = sum_j w_j
 * and return the sum of the row losses of [i0, i1) in double, added in an order fixed by i0 and i1
 * (ref and K > 16: row order; avx2 K <= 16: eight lanes of rows i0+8g+r, then the lanes; avx512 K <= 16: sixteen
 * lanes), so a fixed block gives the same partial sum on any number of threads. Kernels trust their inputs
 * (checked by xent.c). Thread-safe for disjoint row ranges. */
#ifndef E4J_XENT_H
#define E4J_XENT_H
#include "internal.h"

#include <stdint.h>

typedef struct e4j_xent_args {
    float *loss;            /* (B) per-row losses, written only when reduction == NONE */
    float *dlogits;         /* (B,K) or NULL; may alias logits (each row is read before it is written) */
    const float *logits;    /* (B,K) finite */
    const int64_t *targets; /* (B) in [0,K) or ignore_index */
    const float *weight;    /* (K) or NULL (all 1) */
    int64_t ignore_index, K;
    int32_t reduction;
    int32_t zero_grad; /* MEAN with sum of target weights 0: dlogits all 0 (PyTorch) */
    double eps;        /* label smoothing */
    double grad_scale; /* s: 1/sum_i w_t for MEAN, else 1 */
    double weight_sum; /* W */
} e4j_xent_args;

/* rows [i0, i1) with K > 16 at level 1 (avx2/xent_row_avx2.c), also run by the level-2 kernels for label smoothing */
double e4j_xent_long_rows_avx2(const e4j_xent_args *a, int64_t i0, int64_t i1);

/* rows [i0, i1) with K <= 16 at level 2, 16 rows per zmm (avx512/xent_lanes_avx512.c) */
double e4j_xent_lanes_avx512(const e4j_xent_args *a, int64_t i0, int64_t i1);

#endif
