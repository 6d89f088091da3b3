/* w2v_hs.c — exported entry points of the general word2vec kernel (hierarchical softmax, negative sampling,
 * document rows): argument, token and doc checks, then the level's w2v_hs_train primitive (0: ref/w2v_hs_ref.c,
 * 1: avx2/w2v_hs_avx2.c). Also the per-position bookkeeping both levels share (RNG draws, inputs, outputs and
 * the checks of what they read), e4j_w2v_hs_position. The semantics are written down in w2v_hs.h.
 * Thread-safe: many Hogwild workers call e4j_w2v_hs_train_chunk at once on shared weights, each with its own
 * rng, tokens and workspace; the racing updates are deliberate (Hogwild). */
#include "kernels.h"

#include <math.h>

#define E4J_W2V_HS_MAX_CODE 255 /* a Huffman code over < 2^31 words is shorter than 64; 255 bounds a corrupt one */

E4J_API int64_t e4j_w2v_hs_workspace_bytes(int64_t D, int32_t window, int32_t max_outputs) {
    if (D <= 0 || window < 1 || max_outputs < 1 || D > (1 << 24) || window > (1 << 16) ||
        max_outputs > E4J_W2V_HS_MAX_CODE + 1025) {
        e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                 "w2v_hs workspace: need D in [1, 2^24], window in [1, 2^16], max_outputs in [1, %d], got D=%lld "
                 "window=%d max_outputs=%d",
                 E4J_W2V_HS_MAX_CODE + 1025, (long long)D, window, max_outputs);
        return -1;
    }
    return e4j_w2v_hs_layout(D, window, max_outputs, NULL, NULL);
}

static e4j_status check_subwords(const e4j_w2v_hs_args *a, int32_t w) {
    int64_t lo = a->sub_offsets[w], hi = a->sub_offsets[w + 1], end = a->sub_offsets[a->V];
    if (lo < 0 || hi <= lo || hi > end)
        return e4j_fail(E4J_ERR_INDEX,
                        "w2v_hs: sub_offsets[%d..%d] = [%lld, %lld) is not a non-empty range inside [0, %lld)", w,
                        w + 1, (long long)lo, (long long)hi, (long long)end);
    for (int64_t j = lo; j < hi; j++) {
        int32_t r = a->sub_ids[j];
        if (r < 0 || r >= a->R)
            return e4j_fail(E4J_ERR_INDEX, "w2v_hs: sub_ids[%lld] = %d out of range [0, %lld) (word %d)", (long long)j,
                            r, (long long)a->R, w);
    }
    return E4J_OK;
}

/* The center's path into the outputs; checks the code as it reads it. */
static e4j_status path_outputs(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, int32_t w, int32_t *O) {
    int64_t lo = a->code_offsets[w], hi = a->code_offsets[w + 1], end = a->code_offsets[a->V];
    if (lo < 0 || hi <= lo || hi > end || hi - lo > a->max_code_len)
        return e4j_fail(E4J_ERR_INDEX,
                        "w2v_hs: code_offsets[%d..%d] = [%lld, %lld) is not a range of 1 to max_code_len = %d entries "
                        "inside [0, %lld)",
                        w, w + 1, (long long)lo, (long long)hi, a->max_code_len, (long long)end);
    for (int64_t j = lo; j < hi; j++) {
        int32_t c = a->codes[j];
        if (c < 0 || (int64_t)(c >> 1) >= a->H)
            return e4j_fail(E4J_ERR_INDEX, "w2v_hs: codes[%lld] = %d names inner node %d, outside [0, %lld) (word %d)",
                            (long long)j, c, c >> 1, (long long)a->H, w);
        ws->orow[*O] = a->W_hs + (int64_t)(c >> 1) * a->D;
        ws->label[*O] = (c & 1) ? 0.0f : 1.0f;
        ws->mask[*O] = 1.0f;
        (*O)++;
    }
    return E4J_OK;
}

e4j_status e4j_w2v_hs_position(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, int64_t t, int64_t s, int64_t e,
                               uint64_t *rng, e4j_w2v_hs_pos *p) {
    const int32_t center = a->tokens[t];
    uint64_t r = e4j_w2v_next(*rng);
    int32_t b = (int32_t)(r % (uint64_t)a->window);
    int64_t bad = -1;
    for (int32_t k = 0; k < a->negative; k++) {
        r = e4j_w2v_next(r);
        int64_t slot = (int64_t)((r >> 16) % (uint64_t)a->S);
        int32_t n = a->neg_table[slot];
        if ((n < 0 || n >= a->V) && bad < 0) bad = slot;
        ws->negs[k] = n;
    }
    *rng = r;
    p->C = 0;
    p->O = 0;
    p->doc = -1;
    p->lr = a->lr_start + (a->lr_end - a->lr_start) * (float)((double)t / (double)a->T);
    if (bad >= 0)
        return e4j_fail(E4J_ERR_INDEX, "w2v_hs: neg_table[%lld] = %d out of range [0, %lld)", (long long)bad,
                        a->neg_table[bad], (long long)a->V);
    int32_t C = 0;
    if (!(a->flags & E4J_W2V_NO_WORD_INPUTS)) {
        for (int64_t q = t - a->window + b; q <= t + a->window - b; q++)
            if (q != t && q >= s && q < e) ws->inw[C++] = a->tokens[q];
    }
    if (a->sub_offsets) {
        for (int32_t i = 0; i < C; i++) {
            e4j_status st = check_subwords(a, ws->inw[i]);
            if (st != E4J_OK) return st;
        }
    }
    if (a->W_doc) {
        p->doc = a->docs[t];
        ws->inw[C++] = -1;
    }
    if (C == 0) return E4J_OK;
    int32_t O = 0;
    if (a->code_offsets) {
        e4j_status st = path_outputs(a, ws, center, &O);
        if (st != E4J_OK) return st;
    }
    if (a->negative > 0) {
        ws->orow[O] = a->W_out + (int64_t)center * a->D;
        ws->label[O] = 1.0f;
        ws->mask[O++] = 1.0f;
        for (int32_t k = 0; k < a->negative; k++) {
            ws->orow[O] = a->W_out + (int64_t)ws->negs[k] * a->D;
            ws->label[O] = 0.0f;
            ws->mask[O++] = ws->negs[k] == center ? 0.0f : 1.0f;
        }
    }
    p->C = C;
    p->O = O;
    return E4J_OK;
}

/* Pointer, size and mode checks of e4j_w2v_hs_train_chunk (no data read). */
static e4j_status check_args(const e4j_w2v_hs_args *a, const double *loss_sum, const int64_t *pairs,
                             const uint64_t *rng) {
    if (!a->W_in || !loss_sum || !pairs || !rng || (!a->tokens && a->T > 0))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v_hs: a required pointer is NULL (W_in %p, loss_sum %p, pairs %p, rng %p, tokens %p)",
                        (void *)a->W_in, (const void *)loss_sum, (const void *)pairs, (const void *)rng,
                        (const void *)a->tokens);
    if (a->T < 0 || a->V <= 0 || a->R <= 0 || a->D <= 0 || a->H < 0 || a->P < 0 || a->S < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v_hs: need T, H, P, S >= 0 and V, R, D > 0, got T=%lld H=%lld P=%lld S=%lld V=%lld R=%lld "
                        "D=%lld",
                        (long long)a->T, (long long)a->H, (long long)a->P, (long long)a->S, (long long)a->V,
                        (long long)a->R, (long long)a->D);
    if (a->V > INT32_MAX || a->R > INT32_MAX || a->H > INT32_MAX || a->P > INT32_MAX)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: V=%lld, R=%lld, H=%lld and P=%lld must fit int32",
                        (long long)a->V, (long long)a->R, (long long)a->H, (long long)a->P);
    if (a->mode < E4J_W2V_SKIP_GRAM || a->mode > E4J_W2V_CBOW_SUM)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: mode must be 0 (skip-gram), 1 or 2 (CBOW), got %d", a->mode);
    if (a->flags & ~(E4J_W2V_NO_WORD_INPUTS | E4J_W2V_FREEZE_WORDS))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: unknown flags 0x%x", (unsigned)a->flags);
    if (a->window < 1 || a->negative < 0 || a->negative > 1024)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v_hs: need window >= 1 and negative in [0, 1024], got window=%d "
                        "negative=%d",
                        a->window, a->negative);
    if (!isfinite(a->lr_start) || !isfinite(a->lr_end) || a->lr_start < 0 || a->lr_end < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: learning rates must be finite and >= 0, got %g -> %g",
                        (double)a->lr_start, (double)a->lr_end);
    if (!a->code_offsets && a->negative == 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v_hs: no output layer: give Huffman codes (hierarchical softmax) or negative > 0");
    if ((a->code_offsets == NULL) != (a->codes == NULL) || (a->code_offsets && !a->W_hs))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: code_offsets, codes and W_hs must all be given or all NULL");
    if (a->code_offsets && (a->max_code_len < 1 || a->max_code_len > E4J_W2V_HS_MAX_CODE))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: max_code_len must be in [1, %d], got %d",
                        E4J_W2V_HS_MAX_CODE, a->max_code_len);
    if (a->negative > 0 && (!a->W_out || !a->neg_table || a->S <= 0))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "w2v_hs: negative = %d needs W_out and a non-empty neg_table (W_out %p, neg_table %p, S=%lld)",
                        a->negative, (void *)a->W_out, (const void *)a->neg_table, (long long)a->S);
    if ((a->W_doc == NULL) != (a->docs == NULL))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: W_doc and docs must both be given or both NULL");
    if ((a->flags & E4J_W2V_NO_WORD_INPUTS) && !a->W_doc)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: E4J_W2V_NO_WORD_INPUTS needs document rows (W_doc)");
    if ((a->flags & E4J_W2V_FREEZE_WORDS) && !a->W_doc)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: E4J_W2V_FREEZE_WORDS needs document rows (W_doc)");
    if ((a->sub_offsets == NULL) != (a->sub_ids == NULL))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: sub_offsets and sub_ids must both be given or both NULL");
    if (!a->sub_offsets && a->R < a->V)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "w2v_hs: without subwords W_in needs R >= V rows, got R=%lld V=%lld",
                        (long long)a->R, (long long)a->V);
    return E4J_OK;
}

E4J_API e4j_status e4j_w2v_hs_train_chunk(float *W_in, float *W_hs, float *W_out, float *W_doc, double *loss_sum,
                                          int64_t *pairs, uint64_t *rng, const int32_t *tokens, const int32_t *docs,
                                          int64_t T, const int64_t *code_offsets, const int32_t *codes,
                                          const int32_t *neg_table, int64_t S, const int64_t *sub_offsets,
                                          const int32_t *sub_ids, int32_t mode, int32_t flags, int32_t window,
                                          int32_t negative, int32_t max_code_len, float lr_start, float lr_end,
                                          int64_t V, int64_t R, int64_t H, int64_t P, int64_t D, void *workspace,
                                          int64_t workspace_bytes) {
    e4j_w2v_hs_args a = {W_in,
                         W_hs,
                         W_out,
                         W_doc,
                         tokens,
                         docs,
                         code_offsets,
                         codes,
                         neg_table,
                         sub_offsets,
                         sub_ids,
                         T,
                         S,
                         V,
                         R,
                         H,
                         P,
                         D,
                         mode,
                         flags,
                         window,
                         negative,
                         code_offsets ? max_code_len : 0,
                         lr_start,
                         lr_end,
                         workspace};
    e4j_status st = check_args(&a, loss_sum, pairs, rng);
    if (st != E4J_OK) return st;
    int64_t need = e4j_w2v_hs_workspace_bytes(D, window, a.max_code_len + negative + 1);
    if (need < 0) return E4J_ERR_INVALID_ARGUMENT;
    if (!workspace || workspace_bytes < need)
        return e4j_fail(E4J_ERR_WORKSPACE,
                        "w2v_hs: workspace of %lld bytes at %p, need %lld (e4j_w2v_hs_workspace_bytes)",
                        (long long)workspace_bytes, workspace, (long long)need);
    for (int64_t t = 0; t < T; t++) {
        if (tokens[t] < -1 || tokens[t] >= V)
            return e4j_fail(E4J_ERR_INDEX, "w2v_hs: tokens[%lld] = %d out of range [-1, %lld)", (long long)t, tokens[t],
                            (long long)V);
        if (docs && tokens[t] >= 0 && (docs[t] < 0 || docs[t] >= P))
            return e4j_fail(E4J_ERR_INDEX, "w2v_hs: docs[%lld] = %d out of range [0, %lld)", (long long)t, docs[t],
                            (long long)P);
    }
    if (sub_offsets && sub_offsets[0] < 0)
        return e4j_fail(E4J_ERR_INDEX, "w2v_hs: sub_offsets[0] = %lld is negative", (long long)sub_offsets[0]);
    if (code_offsets && code_offsets[0] < 0)
        return e4j_fail(E4J_ERR_INDEX, "w2v_hs: code_offsets[0] = %lld is negative", (long long)code_offsets[0]);
    return e4j_prims_get()->w2v_hs_train(&a, loss_sum, pairs, rng);
}
