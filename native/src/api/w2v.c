/* w2v.c — exported word2vec entry points: argument and token checks, then the level's w2v_train primitive
 * (0: ref/w2v_ref.c, 1: avx2/w2v_avx2.c). The semantics are written down in w2v.h.
 * Thread-safe: many Hogwild workers call e4j_w2v_train_chunk at once on shared W_in / W_out,
 * each with its own rng, tokens and workspace; the racing updates are deliberate (Hogwild). */
#include "kernels.h"

#include <math.h>

E4J_API int64_t e4j_w2v_workspace_bytes(int64_t D, int32_t window, int32_t negative) {
    if (D <= 0 || window < 1 || negative < 0 || D > (1 << 24) || window > (1 << 16) || negative > 1024) {
        e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                 "w2v workspace: need D in [1, 2^24], window in [1, 2^16], negative in [0, 1024], got D=%lld "
                 "window=%d negative=%d",
                 (long long)D, window, negative);
        return -1;
    }
    return e4j_w2v_layout(D, window, negative, NULL, NULL);
}

e4j_status e4j_w2v_check_subwords(const e4j_w2v_args *a, int32_t w) {
    int64_t lo = a->sub_offsets[w], hi = a->sub_offsets[w + 1], end = a->sub_offsets[a->V];
    if (lo < 0 || hi <= lo || hi > end)
        return e4j_fail(E4J_ERR_INDEX,
                        "w2v: sub_offsets[%d..%d] = [%lld, %lld) is not a non-empty range inside "
                        "[0, %lld)",
                        w, w + 1, (long long)lo, (long long)hi, (long long)end);
    for (int64_t j = lo; j < hi; j++) {
        int32_t r = a->sub_ids[j];
        if (r < 0 || r >= a->R)
            return e4j_fail(E4J_ERR_INDEX, "w2v: sub_ids[%lld] = %d out of range [0, %lld) (word %d)", (long long)j, r,
                            (long long)a->R, w);
    }
    return E4J_OK;
}

E4J_API e4j_status e4j_w2v_train_chunk(float *W_in, float *W_out, double *loss_sum, int64_t *pairs, uint64_t *rng,
                                       const int32_t *tokens, int64_t T, const int32_t *neg_table, int64_t S,
                                       const int64_t *sub_offsets, const int32_t *sub_ids, int32_t cbow, int32_t window,
                                       int32_t negative, float lr_start, float lr_end, int64_t V, int64_t R, int64_t D,
                                       void *workspace, int64_t workspace_bytes) {
    if (!W_in || !W_out || !loss_sum || !pairs || !rng || (!tokens && T > 0) || !neg_table)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v: a required pointer is NULL (W_in %p, W_out %p, loss_sum %p, "
                        "pairs %p, rng %p, tokens %p, neg_table %p)",
                        (void *)W_in, (void *)W_out, (void *)loss_sum, (void *)pairs, (void *)rng, (const void *)tokens,
                        (const void *)neg_table);
    if (T < 0 || S <= 0 || V <= 0 || R <= 0 || D <= 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v: need T >= 0 and S, V, R, D > 0, got T=%lld S=%lld V=%lld "
                        "R=%lld D=%lld",
                        (long long)T, (long long)S, (long long)V, (long long)R, (long long)D);
    if (V > INT32_MAX || R > INT32_MAX)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v: V=%lld and R=%lld must fit int32", (long long)V, (long long)R);
    if (cbow != 0 && cbow != 1) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v: cbow must be 0 or 1, got %d", cbow);
    if (window < 1 || negative < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v: need window >= 1 and negative >= 0, got window=%d "
                        "negative=%d",
                        window, negative);
    if (!isfinite(lr_start) || !isfinite(lr_end) || lr_start < 0 || lr_end < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v: learning rates must be finite and >= 0, got %g -> %g",
                        (double)lr_start, (double)lr_end);
    if ((sub_offsets == NULL) != (sub_ids == NULL))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v: sub_offsets and sub_ids must both be given or both NULL");
    if (!sub_offsets && R < V)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v: without subwords W_in needs R >= V rows, got R=%lld V=%lld",
                        (long long)R, (long long)V);
    int64_t need = e4j_w2v_workspace_bytes(D, window, negative);
    if (need < 0) return E4J_ERR_INVALID_ARGUMENT;
    if (!workspace || workspace_bytes < need)
        return e4j_fail(E4J_ERR_WORKSPACE,
                        "w2v: workspace of %lld bytes at %p, need %lld "
                        "(e4j_w2v_workspace_bytes)",
                        (long long)workspace_bytes, workspace, (long long)need);
    for (int64_t t = 0; t < T; t++) {
        if (tokens[t] < -1 || tokens[t] >= V)
            return e4j_fail(E4J_ERR_INDEX, "w2v: tokens[%lld] = %d out of range [-1, %lld)", (long long)t, tokens[t],
                            (long long)V);
    }
    if (sub_offsets && sub_offsets[0] < 0)
        return e4j_fail(E4J_ERR_INDEX, "w2v: sub_offsets[0] = %lld is negative", (long long)sub_offsets[0]);

    e4j_w2v_args a = {W_in, W_out, tokens, neg_table, sub_offsets, sub_ids,  T,      S,        V,
                      R,    D,     cbow,   window,    negative,    lr_start, lr_end, workspace};
    return e4j_prims_get()->w2v_train(&a, loss_sum, pairs, rng);
}
