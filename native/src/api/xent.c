/* e4j_softmax_xent: fused softmax cross-entropy, torch.nn.functional.cross_entropy with class-index
 * targets, class weights w (1 when NULL), ignore_index and label smoothing eps (as the Java reference):
 *   lse = max + log(sum_j exp(x_j - max))                               per row
 *   loss_i = (1-eps)*w_t*(lse - x_t) + (eps/K)*sum_j w_j*(lse - x_j)     0 for ignored rows
 *   MEAN: sum_i loss_i / sum_i w_t (non-ignored)   SUM: sum_i loss_i   NONE: loss_i per row
 *   dx_j = s*[(1-eps)*w_t*(p_j - [j==t]) + (eps/K)*(p_j*sum_k w_k - w_j)]   s = 1/sum_i w_t (MEAN), else 1
 * MEAN with nothing counted: loss NaN, dlogits 0 (PyTorch). The whole input is checked first (targets,
 * then finite logits, in one parallel pass), so a failed call writes nothing. dlogits may alias logits: each row is read
 * completely before it is written. Numerically stable (max subtracted); the loss is accumulated in
 * double over fixed blocks of rows (independent of the thread count), so the result is deterministic.
 * This file checks and drives; the rows and the pre-checks are primitives of the level: ref/xent_ref.c
 * (level 0, double) or avx2/xent_avx2.c (level 1, float with polynomial exp/log; see xent.h). Thread-safe. */
#include "kernels.h"

#define MAX_BLOCKS 1024

typedef struct xent_ctx {
    e4j_xent_args a;
    const e4j_prims *p;
    int64_t block, B;
    double partial[MAX_BLOCKS];
} xent_ctx;

static void xent_range(void *vctx, int64_t blk0, int64_t blk1) {
    xent_ctx *c = (xent_ctx *)vctx;
    for (int64_t blk = blk0; blk < blk1; blk++) {
        int64_t i0 = blk * c->block, i1 = i0 + c->block < c->B ? i0 + c->block : c->B;
        c->partial[blk] = c->p->xent_rows(&c->a, i0, i1);
    }
}

/* sum_i w[t_i] over non-ignored rows in double, as four partial sums in a fixed order (one dependent chain
 * of adds would cost more than the K = 2 kernel itself); unweighted, the pre-check's count is the sum */
static double total_target_weight(const int64_t *targets, const float *weight, int64_t ignore_index, int64_t B) {
    double s[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < B; i++)
        if (targets[i] != ignore_index) s[i & 3] += (double)weight[targets[i]];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* The pre-checks over fixed row blocks: targets (and how many are counted) and finiteness of the logits */
typedef struct check_ctx {
    const e4j_prims *p;
    const float *x;
    const int64_t *t;
    int64_t B, K, ignore_index, block;
    unsigned char bad_target[MAX_BLOCKS], bad_logit[MAX_BLOCKS];
    int64_t counted[MAX_BLOCKS];
} check_ctx;

static void check_range(void *vctx, int64_t blk0, int64_t blk1) {
    check_ctx *c = (check_ctx *)vctx;
    for (int64_t blk = blk0; blk < blk1; blk++) {
        int64_t i0 = blk * c->block, n = c->B - i0 < c->block ? c->B - i0 : c->block;
        c->bad_target[blk] = !c->p->xent_targets_ok(c->t + i0, n, c->K, c->ignore_index, &c->counted[blk]);
        c->bad_logit[blk] = !c->p->all_finite(c->x + i0 * c->K, n * c->K);
    }
}

/* Rows per block, fixed by B and K alone, so the partial sums (and the result) do not depend on the thread count; at
 * most MAX_BLOCKS blocks. K <= 16: a multiple of 16 (the rows-in-lanes kernels' groups of 8 or 16 rows, so only the
 * last block has a partial group) and at least ~4 KiB of logits, so the per-block set-up is amortised; K > 16: a
 * multiple of 8 (one row at a time, many blocks for many threads). */
static int64_t block_rows(int64_t B, int64_t K) {
    int64_t rows = (B + MAX_BLOCKS - 1) / MAX_BLOCKS;
    if (K > 16) return (rows + 7) & ~(int64_t)7;
    if (K > 0 && rows < 1024 / K) rows = 1024 / K;
    return (rows + 15) & ~(int64_t)15;
}

E4J_API e4j_status e4j_softmax_xent(float *loss, float *dlogits, const float *logits, const int64_t *targets,
                                    const float *weight, int64_t ignore_index, float label_smoothing, int32_t reduction,
                                    int64_t B, int64_t K) {
    if (B < 0 || K < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got B=%lld K=%lld", (long long)B, (long long)K);
    if (reduction != E4J_REDUCE_NONE && reduction != E4J_REDUCE_MEAN && reduction != E4J_REDUCE_SUM)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "reduction must be 0 (none), 1 (mean) or 2 (sum), got %d", reduction);
    if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "label_smoothing must be in [0, 1], got %g", (double)label_smoothing);
    if (!loss && (reduction != E4J_REDUCE_NONE || B > 0))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "softmax_xent: loss must not be NULL");
    if (B > 0 && (!logits || !targets))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "softmax_xent: logits and targets must not be NULL");
    if (B > 0 && K < 1)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "softmax_xent needs K >= 1 classes, got %lld", (long long)K);
    const e4j_prims *p = e4j_prims_get(); /* read once: a call never mixes two levels */
    const int64_t block = block_rows(B, K), nblk = B == 0 ? 0 : (B + block - 1) / block;
    /* one parallel pass over targets and logits; the loops below name the first bad value when it fails */
    static _Thread_local check_ctx chk; /* ~10 KiB of flags and counts: kept off the caller's stack */
    chk.p = p;
    chk.x = logits;
    chk.t = targets;
    chk.B = B;
    chk.K = K;
    chk.ignore_index = ignore_index;
    chk.block = block;
    /* the check splits over threads as the rows do (a separate, smaller grain would leave it on one thread at K = 2) */
    const int64_t grain = e4j_grain(block * K * 4);
    e4j_pool_parallel_for(nblk, grain, check_range, &chk);
    int targets_ok = 1, all_finite = 1;
    int64_t counted = 0; /* non-ignored targets */
    for (int64_t blk = 0; blk < nblk; blk++) {
        targets_ok &= !chk.bad_target[blk];
        all_finite &= !chk.bad_logit[blk];
        counted += chk.counted[blk];
    }
    for (int64_t i = 0; i < B && !targets_ok; i++)
        if (targets[i] != ignore_index && (targets[i] < 0 || targets[i] >= K))
            return e4j_fail(E4J_ERR_INDEX,
                            "target %lld at row %lld is out of range [0, %lld) and is not ignore_index %lld",
                            (long long)targets[i], (long long)i, (long long)K, (long long)ignore_index);
    for (int64_t i = 0; i < B && !all_finite; i++) {
        const float *x = logits + i * K;
        int bad = 0;
        for (int64_t j = 0; j < K; j++) bad |= !(x[j] - x[j] == 0.0f); /* NaN or +-Inf */
        if (bad)
            for (int64_t j = 0; j < K; j++)
                if (!(x[j] - x[j] == 0.0f))
                    return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                                    "logits contain %g at (row, col) = (%lld, %lld); cross-entropy needs finite logits",
                                    (double)x[j], (long long)i, (long long)j);
    }
    static _Thread_local xent_ctx c; /* ~8 KiB of partial sums: kept off the caller's stack */
    c.p = p;
    c.B = B;
    c.a = (e4j_xent_args){.loss = loss,
                          .dlogits = dlogits,
                          .logits = logits,
                          .targets = targets,
                          .weight = weight,
                          .ignore_index = ignore_index,
                          .K = K,
                          .reduction = reduction,
                          .eps = label_smoothing};
    c.a.weight_sum = 0.0;
    for (int64_t j = 0; j < K; j++) c.a.weight_sum += weight ? (double)weight[j] : 1.0;
    double total_weight = weight ? total_target_weight(targets, weight, ignore_index, B) : (double)counted;
    c.a.grad_scale = reduction == E4J_REDUCE_MEAN ? 1.0 / total_weight : 1.0;
    c.a.zero_grad = reduction == E4J_REDUCE_MEAN && total_weight == 0.0;
    c.block = block;
    e4j_pool_parallel_for(nblk, grain, xent_range, &c);
    double total = 0.0;
    for (int64_t blk = 0; blk < nblk; blk++) total += c.partial[blk];
    if (reduction == E4J_REDUCE_MEAN)
        loss[0] = (float)(total / total_weight);
    else if (reduction == E4J_REDUCE_SUM)
        loss[0] = (float)total;
    return E4J_OK;
}
