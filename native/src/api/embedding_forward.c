/* Exported forward lookups: e4j_gather_forward (out[n,:] = W[idx[n],:], bit-exact) and
 * e4j_embedding_bag_forward (sum / mean / max over bags, see embed4j.h).
 * Validates pointers, sizes, index range and offsets before writing, then splits rows / bag positions over
 * e4j_parallel_for; every output row is produced by one thread in a fixed order, so results do not
 * depend on the thread count. Thread-safe (no shared mutable state). */
#include "kernels.h"

/* the level is read once per call, so a call never mixes the two paths */
typedef struct fwd_ctx {
    const e4j_prims *p;
    e4j_gather_args g;
    e4j_bag_args b;
    int64_t B;
} fwd_ctx;

static void gather_range(void *ctx, int64_t n0, int64_t n1) {
    const fwd_ctx *c = (const fwd_ctx *)ctx;
    c->p->gather(&c->g, n0, n1);
}

E4J_API e4j_status e4j_gather_forward(float *out, const float *W, const void *idx, int32_t idx_type, int64_t N,
                                      int64_t V, int64_t D) {
    if (N < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got N=%lld V=%lld D=%lld", (long long)N,
                        (long long)V, (long long)D);
    e4j_status st = e4j_check_idx_type(idx_type);
    if (st) return st;
    if (N == 0) return E4J_OK;
    if (!out || !idx || (!W && D > 0))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gather: out, W and idx must not be NULL");
    if ((st = e4j_check_indices(idx, idx_type, N, V))) return st;
    if (D == 0) return E4J_OK;
    fwd_ctx c = {.p = e4j_prims_get(), .g = {out, W, idx, idx_type, N, D}};
    e4j_parallel_for(N, e4j_grain(D), gather_range, &c);
    return E4J_OK;
}

/* The first bag b in [0, B) with offsets[b] >= s, or B. */
static int64_t first_bag_from(const int64_t *offsets, int64_t B, int64_t s) {
    int64_t lo = 0, hi = B;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offsets[mid] >= s)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Positions [s0, s1) of [0, N]: the bags that start there. Splitting the positions rather than the bags gives
 * each thread about the same number of rows to read when bag lengths differ; each bag still belongs to exactly
 * one part (the one holding its first position), so the split never changes a result. */
static void bag_range(void *ctx, int64_t s0, int64_t s1) {
    const fwd_ctx *c = (const fwd_ctx *)ctx;
    const int64_t b0 = first_bag_from(c->b.offsets, c->B, s0), b1 = first_bag_from(c->b.offsets, c->B, s1);
    if (b0 < b1) c->p->bag_forward(&c->b, b0, b1);
}

E4J_API e4j_status e4j_embedding_bag_forward(float *out, int64_t *argmax, const float *W, const void *idx,
                                             int32_t idx_type, const int64_t *offsets, const float *psw, int32_t mode,
                                             int64_t padding_idx, int64_t N, int64_t B, int64_t V, int64_t D) {
    if (N < 0 || B < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got N=%lld B=%lld V=%lld D=%lld", (long long)N,
                        (long long)B, (long long)V, (long long)D);
    e4j_status st = e4j_check_idx_type(idx_type);
    if (st) return st;
    if ((st = e4j_check_bag_mode(mode, psw))) return st;
    if (!offsets) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "offsets must not be NULL (B+1 entries)");
    if (B > 0 && D > 0 && !out) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "out must not be NULL");
    if (mode == E4J_BAG_MAX && B > 0 && D > 0 && !argmax)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "max mode needs argmax (B,D), got NULL");
    if (N > 0 && (!idx || (!W && D > 0))) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "W and idx must not be NULL");
    if ((st = e4j_check_padding(padding_idx, V))) return st;
    if ((st = e4j_check_offsets(offsets, B, N))) return st;
    if ((st = e4j_check_indices(idx, idx_type, N, V))) return st;
    if (B == 0 || D == 0) return E4J_OK;
    fwd_ctx c = {.p = e4j_prims_get(),
                 .b = {out, mode == E4J_BAG_MAX ? argmax : NULL, W, idx, idx_type, mode, offsets, psw, padding_idx, D},
                 .B = B};
    /* N + 1 positions: a part ending at N + 1 also takes the empty bags that start at N */
    e4j_parallel_for(N + 1, e4j_grain(D + D * B / (N + 1)), bag_range, &c);
    return E4J_OK;
}
