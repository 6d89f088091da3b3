/* e4j_softmax_xent: fused softmax cross-entropy, torch.nn.functional.cross_entropy with class-index
 * targets, class weights w (1 when NULL), ignore_index and label smoothing eps (as the Java reference):
 *   lse = max + log(sum_j exp(x_j - max))                               per row, in double
 *   loss_i = (1-eps)*w_t*(lse - x_t) + (eps/K)*sum_j w_j*(lse - x_j)     0 for ignored rows
 *   MEAN: sum_i loss_i / sum_i w_t (non-ignored)   SUM: sum_i loss_i   NONE: loss_i per row
 *   dx_j = s*[(1-eps)*w_t*(p_j - [j==t]) + (eps/K)*(p_j*sum_k w_k - w_j)]   s = 1/sum_i w_t (MEAN), else 1
 * MEAN with nothing counted: loss NaN, dlogits 0 (PyTorch). The whole input is checked first (targets,
 * then finite logits), so a failed call writes nothing. dlogits may alias logits: each row is read
 * completely before it is written. Numerically stable (max subtracted); the loss is accumulated in
 * double over fixed blocks of rows (independent of the thread count), so the result is deterministic.
 * Thread-safe. */
#include "kernels.h"

#include <math.h>

#define MAX_BLOCKS 1024

typedef struct xent_ctx {
    const e4j_prims *p;
    float *loss, *dlogits;
    const float *logits, *weight;
    const int64_t *targets;
    int64_t ignore_index, B, K, block;
    int32_t reduction, zero_grad;
    double eps, grad_scale, weight_sum;
    double partial[MAX_BLOCKS];
} xent_ctx;

static void xent_row(xent_ctx *c, int64_t i, double *total) {
    const int64_t K = c->K;
    const float *x = c->logits + i * K;
    float *dx = c->dlogits ? c->dlogits + i * K : NULL;
    int64_t t = c->targets[i];
    if (t == c->ignore_index) {
        if (c->reduction == E4J_REDUCE_NONE) c->loss[i] = 0.0f;
        if (dx)
            for (int64_t j = 0; j < K; j++) dx[j] = 0.0f;
        return;
    }
    float m;
    double se;
    c->p->row_max_sumexp(x, K, &m, &se);
    double lse = (double)m + log(se), xt = x[t];
    double wt = c->weight ? c->weight[t] : 1.0;
    double smooth = 0.0;
    if (c->eps != 0.0)
        for (int64_t j = 0; j < K; j++) smooth += (c->weight ? (double)c->weight[j] : 1.0) * (lse - (double)x[j]);
    double row = (1.0 - c->eps) * (wt * (lse - xt)) + (c->eps / (double)K) * smooth;
    if (c->reduction == E4J_REDUCE_NONE) c->loss[i] = (float)row;
    *total += row;
    if (!dx) return;
    if (c->zero_grad) {
        for (int64_t j = 0; j < K; j++) dx[j] = 0.0f;
        return;
    }
    double s = c->grad_scale, ek = c->eps / (double)K;
    float a = (float)(s * ((1.0 - c->eps) * wt + ek * c->weight_sum) / se);
    float b = (float)(s * ek);
    c->p->xent_grad_row(dx, x, c->weight, m, a, b, K);
    /* the target column in double: p_t - 1 would cancel in float */
    double pt = exp(xt - lse);
    dx[t] = (float)(s * ((1.0 - c->eps) * wt * (pt - 1.0) + ek * (pt * c->weight_sum - wt)));
}

static void xent_range(void *vctx, int64_t blk0, int64_t blk1) {
    xent_ctx *c = (xent_ctx *)vctx;
    for (int64_t blk = blk0; blk < blk1; blk++) {
        int64_t i0 = blk * c->block, i1 = i0 + c->block < c->B ? i0 + c->block : c->B;
        double total = 0.0;
        for (int64_t i = i0; i < i1; i++) xent_row(c, i, &total);
        c->partial[blk] = total;
    }
}

E4J_API int32_t e4j_softmax_xent(float *loss, float *dlogits, const float *logits, const int64_t *targets,
                                 const float *weight, int64_t ignore_index, float label_smoothing,
                                 int32_t reduction, int64_t B, int64_t K) {
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
    if (B > 0 && K < 1) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "softmax_xent needs K >= 1 classes, got %lld", (long long)K);
    for (int64_t i = 0; i < B; i++)
        if (targets[i] != ignore_index && (targets[i] < 0 || targets[i] >= K))
            return e4j_fail(E4J_ERR_INDEX, "target %lld at row %lld is out of range [0, %lld) and is not ignore_index %lld",
                            (long long)targets[i], (long long)i, (long long)K, (long long)ignore_index);
    for (int64_t i = 0; i < B; i++) {
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
    c.p = e4j_prims_get();
    c.loss = loss;
    c.dlogits = dlogits;
    c.logits = logits;
    c.weight = weight;
    c.targets = targets;
    c.ignore_index = ignore_index;
    c.B = B;
    c.K = K;
    c.reduction = reduction;
    c.eps = label_smoothing;
    c.weight_sum = 0.0;
    for (int64_t j = 0; j < K; j++) c.weight_sum += weight ? (double)weight[j] : 1.0;
    double total_weight = 0.0;
    for (int64_t i = 0; i < B; i++)
        if (targets[i] != ignore_index) total_weight += weight ? (double)weight[targets[i]] : 1.0;
    c.grad_scale = reduction == E4J_REDUCE_MEAN ? 1.0 / total_weight : 1.0;
    c.zero_grad = reduction == E4J_REDUCE_MEAN && total_weight == 0.0;
    c.block = B / MAX_BLOCKS + 1;
    int64_t nblk = B == 0 ? 0 : (B + c.block - 1) / c.block;
    e4j_parallel_for(nblk, e4j_grain(c.block * K * 4), xent_range, &c);
    double total = 0.0;
    for (int64_t blk = 0; blk < nblk; blk++) total += c.partial[blk];
    if (reduction == E4J_REDUCE_MEAN) loss[0] = (float)(total / total_weight);
    else if (reduction == E4J_REDUCE_SUM) loss[0] = (float)total;
    return E4J_OK;
}
