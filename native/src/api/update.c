/* Exported optimizer kernels (rules in optim_ref.c, torch.optim semantics):
 *   e4j_embedding_backward_update: fused backward + optimizer per unique row (FBGEMM's idea): the row
 *     gradient is reduced in perm order into a stack buffer (E4J_ROW_CHUNK floats at a time) and applied
 *     at once, so no V x D or U x D gradient ever exists;
 *   e4j_sparse_rows_update: the same step given the U gradient rows;
 *   e4j_dense_update: every element of a dense parameter.
 * Row-wise Adagrad needs mean(g^2) over the whole row before it can update any element: rows wider than
 * the buffer are reduced twice (once for the sum of squares, once to apply). Deterministic and
 * bit-identical for any thread count (one thread per row, fixed order). Thread-safe. */
#include "kernels.h"

#include <math.h>

typedef struct upd_ctx {
    const e4j_prims *p;
    const e4j_optim_consts *c;
    float *W, *s1, *s2;
    const float *dout;  /* fused: (N,D) */
    const float *grows; /* sparse rows: (U,D) */
    const int64_t *uniq, *seg, *perm;
    int32_t freq;
    int64_t D;
} upd_ctx;

/* row-wise Adagrad's per-row state and denominator from the sum of squares of the adjusted gradient */
static float rowwise_denom(const upd_ctx *x, int64_t r, double sumsq) {
    float state = x->s1[r] + (x->D == 0 ? 0.0f : (float)(sumsq / (double)x->D));
    x->s1[r] = state;
    return sqrtf(state) + x->c->eps;
}

/* one row r with its full gradient g (D floats) */
static void apply_row(const upd_ctx *x, int64_t r, const float *g) {
    const int64_t D = x->D;
    float *w = x->W + r * D;
    if (x->c->kind == E4J_OPT_ROWWISE_ADAGRAD) {
        double ss = x->p->rowwise_sumsq(g, w, x->c->weight_decay, x->c->maximize, D);
        float denom = rowwise_denom(x, r, ss);
        x->p->rowwise_apply(w, g, x->c->lr, denom, x->c->weight_decay, x->c->maximize, D);
    } else {
        x->p->optim(w, x->s1 ? x->s1 + r * D : NULL, x->s2 ? x->s2 + r * D : NULL, g, D, x->c);
    }
}

static void fused_range(void *vctx, int64_t u0, int64_t u1) {
    const upd_ctx *x = (const upd_ctx *)vctx;
    const e4j_prims *p = x->p;
    const int64_t D = x->D;
    const int rowwise = x->c->kind == E4J_OPT_ROWWISE_ADAGRAD;
    float acc[E4J_ROW_CHUNK];
    for (int64_t u = u0; u < u1; u++) {
        if (u + E4J_PF_ROWS < u1) { /* see backward.c: rows are mostly unique, fetch ahead across segments */
            int64_t rp = x->uniq[u + E4J_PF_ROWS], kp = x->seg[u + E4J_PF_ROWS];
            if (kp < x->seg[u + E4J_PF_ROWS + 1]) e4j_prefetch_row(x->dout + x->perm[kp] * D, D);
            e4j_prefetch_row(x->W + rp * D, D);
            if (x->s1) e4j_prefetch_row(x->s1 + (rowwise ? rp : rp * D), rowwise ? 1 : D);
            if (x->s2) e4j_prefetch_row(x->s2 + rp * D, D);
        }
        int64_t r = x->uniq[u], k0 = x->seg[u], k1 = x->seg[u + 1];
        float scale = x->freq && k1 > k0 ? 1.0f / (float)(k1 - k0) : 1.0f;
        if (D <= E4J_ROW_CHUNK) {
            p->reduce_rows(acc, x->dout, x->perm, k0, k1, D, D);
            if (scale != 1.0f) p->scale(acc, scale, D);
            apply_row(x, r, acc);
            continue;
        }
        float *w = x->W + r * D;
        float denom = 0.0f;
        if (rowwise) { /* pass 1: the sum of squares of the whole row */
            double ss = 0.0;
            for (int64_t d0 = 0; d0 < D; d0 += E4J_ROW_CHUNK) {
                int64_t n = D - d0 < E4J_ROW_CHUNK ? D - d0 : E4J_ROW_CHUNK;
                p->reduce_rows(acc, x->dout + d0, x->perm, k0, k1, D, n);
                if (scale != 1.0f) p->scale(acc, scale, n);
                ss += p->rowwise_sumsq(acc, w + d0, x->c->weight_decay, x->c->maximize, n);
            }
            denom = rowwise_denom(x, r, ss);
        }
        for (int64_t d0 = 0; d0 < D; d0 += E4J_ROW_CHUNK) {
            int64_t n = D - d0 < E4J_ROW_CHUNK ? D - d0 : E4J_ROW_CHUNK;
            p->reduce_rows(acc, x->dout + d0, x->perm, k0, k1, D, n);
            if (scale != 1.0f) p->scale(acc, scale, n);
            if (rowwise)
                p->rowwise_apply(w + d0, acc, x->c->lr, denom, x->c->weight_decay, x->c->maximize, n);
            else
                p->optim(w + d0, x->s1 ? x->s1 + r * D + d0 : NULL, x->s2 ? x->s2 + r * D + d0 : NULL, acc, n, x->c);
        }
    }
}

E4J_API e4j_status e4j_embedding_backward_update(float *W, float *state1, float *state2, const float *dout,
                                                 const int64_t *uniq, const int64_t *seg, const int64_t *perm,
                                                 int32_t scale_grad_by_freq, const e4j_optim *opt, int64_t U, int64_t N,
                                                 int64_t V, int64_t D) {
    if (U < 0 || N < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld N=%lld V=%lld D=%lld", (long long)U,
                        (long long)N, (long long)V, (long long)D);
    e4j_status st = e4j_check_optim(opt, 1, state1, state2);
    if (st) return st;
    if (!seg || (U > 0 && (!W || !dout || !uniq || !perm)))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "backward_update: W, dout, uniq, seg and perm must not be NULL");
    if ((st = e4j_check_sorted(uniq, seg, perm, U, N, V))) return st;
    if (U == 0) return E4J_OK;
    e4j_optim_consts c;
    e4j_optim_prepare(&c, opt);
    upd_ctx x = {e4j_prims_get(), &c, W, state1, state2, dout, NULL, uniq, seg, perm, scale_grad_by_freq != 0, D};
    e4j_parallel_for(U, e4j_grain((N / U + 2) * (D + 1)), fused_range, &x);
    return E4J_OK;
}

static void rows_range(void *vctx, int64_t u0, int64_t u1) {
    const upd_ctx *x = (const upd_ctx *)vctx;
    for (int64_t u = u0; u < u1; u++) apply_row(x, x->uniq[u], x->grows + u * x->D);
}

E4J_API e4j_status e4j_sparse_rows_update(float *W, float *state1, float *state2, const float *grows,
                                          const int64_t *uniq, const e4j_optim *opt, int64_t U, int64_t V, int64_t D) {
    if (U < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld V=%lld D=%lld", (long long)U,
                        (long long)V, (long long)D);
    e4j_status st = e4j_check_optim(opt, 1, state1, state2);
    if (st) return st;
    if (U > 0 && (!W || !grows || !uniq))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sparse_rows_update: W, grows and uniq must not be NULL");
    if ((st = e4j_check_uniq(uniq, U, V))) return st;
    if (U == 0) return E4J_OK;
    e4j_optim_consts c;
    e4j_optim_prepare(&c, opt);
    upd_ctx x = {e4j_prims_get(), &c, W, state1, state2, NULL, grows, uniq, NULL, NULL, 0, D};
    e4j_parallel_for(U, e4j_grain(4 * (D + 1)), rows_range, &x);
    return E4J_OK;
}

typedef struct dense_ctx {
    const e4j_prims *p;
    const e4j_optim_consts *c;
    float *W, *s1, *s2;
    const float *g;
} dense_ctx;

static void dense_range(void *vctx, int64_t i0, int64_t i1) {
    const dense_ctx *x = (const dense_ctx *)vctx;
    x->p->optim(x->W + i0, x->s1 ? x->s1 + i0 : NULL, x->s2 ? x->s2 + i0 : NULL, x->g + i0, i1 - i0, x->c);
}

E4J_API e4j_status e4j_dense_update(float *W, float *state1, float *state2, const float *grad, const e4j_optim *opt,
                                    int64_t n) {
    if (n < 0) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "size must be >= 0, got n=%lld", (long long)n);
    e4j_status st = e4j_check_optim(opt, 0, state1, state2);
    if (st) return st;
    if (n == 0) return E4J_OK;
    if (!W || !grad) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "dense_update: W and grad must not be NULL");
    e4j_optim_consts c;
    e4j_optim_prepare(&c, opt);
    dense_ctx x = {e4j_prims_get(), &c, W, state1, state2, grad};
    e4j_parallel_for(n, e4j_grain(8), dense_range, &x);
    return E4J_OK;
}
