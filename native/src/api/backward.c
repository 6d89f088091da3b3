/* Exported embedding backward kernels, both driven by the deterministic sort (e4j_index_sort):
 *   e4j_embedding_backward:     g_u = sum_{k in seg u} dout[perm[k],:]  (x 1/count with scale_grad_by_freq)
 *   e4j_embedding_bag_backward: g_u = sum_{k in seg u} g_{perm[k]}      (per-position bag gradient, embed4j.h)
 * then dW[uniq[u],:] += g_u (dense) or drows[u,:] += g_u (compact).
 * Deterministic on purpose (llm.c's lesson): the unique rows are split over threads, and each row is
 * reduced by one thread, in perm order, into a stack buffer before it touches dW. No two threads write
 * the same row (uniq is checked strictly ascending), no atomics, and the result is bit-identical for
 * any thread count. Never zeroes or allocates a V x D buffer. Thread-safe. */
#include "kernels.h"

#define MAX_COUNT_TABLE 16384 /* bags whose mean-mode counts are tabulated on the stack (64 KiB) */

typedef struct bw_ctx {
    const e4j_prims *p;
    float *dW;
    const float *dout;
    const int64_t *uniq, *seg, *perm;
    const e4j_bagbw_args *bag; /* NULL: plain embedding backward */
    int32_t freq, compact;
    int64_t D;
} bw_ctx;

/* Rows are mostly unique (one position each) for large V, so the kernels' own prefetch inside a
 * segment rarely fires: fetch the first rows of a segment E4J_PF_ROWS ahead, and its output row. */
static inline void prefetch_segment(const bw_ctx *c, int64_t u) {
    int64_t k = c->seg[u];
    if (k < c->seg[u + 1]) {
        if (c->bag)
            e4j_prefetch_row(c->dout + e4j_bag_of(c->bag->offsets, c->bag->B, c->perm[k]) * c->D, c->D);
        else
            e4j_prefetch_row(c->dout + c->perm[k] * c->D, c->D);
    }
    e4j_prefetch_row(c->dW + (c->compact ? u : c->uniq[u]) * c->D, c->D);
}

static void bw_range(void *vctx, int64_t u0, int64_t u1) {
    const bw_ctx *c = (const bw_ctx *)vctx;
    float acc[E4J_ROW_CHUNK];
    const int64_t D = c->D;
    for (int64_t u = u0; u < u1; u++) {
        if (u + E4J_PF_ROWS < u1) prefetch_segment(c, u + E4J_PF_ROWS);
        int64_t k0 = c->seg[u], k1 = c->seg[u + 1];
        if (k0 == k1) continue;
        float scale = c->freq ? 1.0f / (float)(k1 - k0) : 1.0f;
        float *dst = c->dW + (c->compact ? u : c->uniq[u]) * D;
        for (int64_t d0 = 0; d0 < D; d0 += E4J_ROW_CHUNK) {
            int64_t n = D - d0 < E4J_ROW_CHUNK ? D - d0 : E4J_ROW_CHUNK;
            if (c->bag)
                c->p->reduce_bag_rows(acc, c->bag, c->perm, k0, k1, d0, n);
            else
                c->p->reduce_rows(acc, c->dout + d0, c->perm, k0, k1, D, n);
            c->p->add_scaled(dst + d0, acc, scale, n);
        }
    }
}

static void run_rows(bw_ctx *c, int64_t U, int64_t N) {
    int64_t per_row = (N / (U > 0 ? U : 1) + 1) * c->D;
    e4j_parallel_for(U, e4j_grain(per_row), bw_range, c);
}

E4J_API e4j_status e4j_embedding_backward(float *dW, const float *dout, const int64_t *uniq, const int64_t *seg,
                                          const int64_t *perm, int32_t scale_grad_by_freq, int32_t compact, int64_t U,
                                          int64_t N, int64_t D) {
    if (U < 0 || N < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld N=%lld D=%lld", (long long)U,
                        (long long)N, (long long)D);
    if (!seg || (U > 0 && (!dW || !dout || !uniq || !perm)))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "embedding_backward: dW, dout, uniq, seg and perm must not be NULL");
    /* V is not passed: dense rows are trusted to come from e4j_index_sort against dW's V */
    e4j_status st = e4j_check_sorted(uniq, seg, perm, U, N, -1);
    if (st) return st;
    if (U == 0 || D == 0) return E4J_OK;
    bw_ctx c = {e4j_prims_get(), dW, dout, uniq, seg, perm, NULL, scale_grad_by_freq != 0, compact != 0, D};
    run_rows(&c, U, N);
    return E4J_OK;
}

/* The value e4j_index_sort dropped as padding: the row of a position missing from perm (-1: none). */
static int64_t infer_padding(const void *idx, int32_t idx_type, const int64_t *uniq, int64_t U, int64_t M, int64_t N) {
    if (M == N) return -1;
    for (int64_t j = 0; j < N; j++) {
        int64_t r = e4j_idx_at(idx, idx_type, j), lo = 0, hi = U;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (uniq[mid] < r)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == U || uniq[lo] != r) return r;
    }
    return -1;
}

typedef struct dpsw_ctx {
    const e4j_prims *p;
    float *dpsw;
    const float *dout, *W;
    const void *idx;
    int32_t idx_type;
    const int64_t *offsets;
    int64_t pad, D;
} dpsw_ctx;

static void dpsw_range(void *vctx, int64_t b0, int64_t b1) {
    const dpsw_ctx *c = (const dpsw_ctx *)vctx;
    for (int64_t b = b0; b < b1; b++)
        for (int64_t j = c->offsets[b]; j < c->offsets[b + 1]; j++) {
            int64_t r = e4j_idx_at(c->idx, c->idx_type, j);
            c->dpsw[j] = r == c->pad ? 0.0f : c->p->dot(c->dout + b * c->D, c->W + r * c->D, c->D);
        }
}

E4J_API e4j_status e4j_embedding_bag_backward(float *dW, float *dpsw, const float *dout, const float *W,
                                              const void *idx, int32_t idx_type, const int64_t *offsets,
                                              const float *psw, const int64_t *argmax, const int64_t *uniq,
                                              const int64_t *seg, const int64_t *perm, int32_t mode, int32_t compact,
                                              int64_t U, int64_t N, int64_t B, int64_t V, int64_t D) {
    if (U < 0 || N < 0 || B < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld N=%lld B=%lld V=%lld D=%lld",
                        (long long)U, (long long)N, (long long)B, (long long)V, (long long)D);
    e4j_status st = e4j_check_idx_type(idx_type);
    if (st) return st;
    if ((st = e4j_check_bag_mode(mode, psw))) return st;
    if (dpsw && mode != E4J_BAG_SUM)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "dpsw is only defined in sum mode, got mode %d", mode);
    if (!offsets || !seg) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "offsets and seg must not be NULL");
    if (N > 0 && !idx) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "idx must not be NULL");
    if (U > 0 && (!dW || !dout || !uniq || !perm))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "embedding_bag_backward: dW, dout, uniq and perm must not be NULL");
    if (mode == E4J_BAG_MAX && U > 0 && D > 0 && !argmax)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "max mode needs argmax (B,D), got NULL");
    if (dpsw && N > 0 && (!W || !dout)) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "dpsw needs W and dout");
    if ((st = e4j_check_offsets(offsets, B, N))) return st;
    if ((st = e4j_check_indices(idx, idx_type, N, V))) return st;
    if ((st = e4j_check_sorted(uniq, seg, perm, U, N, V))) return st;

    const e4j_prims *p = e4j_prims_get();
    int64_t pad = infer_padding(idx, idx_type, uniq, U, seg[U], N);
    int32_t counts[MAX_COUNT_TABLE];
    e4j_bagbw_args a = {dout, offsets, psw, argmax, NULL, idx, idx_type, mode, pad, B, D};
    if (mode == E4J_BAG_MEAN && B <= MAX_COUNT_TABLE) {
        for (int64_t b = 0; b < B; b++) counts[b] = (int32_t)e4j_bag_count(&a, b);
        a.bag_count = counts;
    }
    if (dpsw && N > 0) {
        dpsw_ctx dc = {p, dpsw, dout, W, idx, idx_type, offsets, pad, D};
        e4j_parallel_for(B, e4j_grain((N / (B > 0 ? B : 1) + 1) * D), dpsw_range, &dc);
    }
    if (U == 0 || D == 0) return E4J_OK;
    bw_ctx c = {p, dW, dout, uniq, seg, perm, &a, 0, compact != 0, D};
    run_rows(&c, U, N);
    return E4J_OK;
}
