/* w2v_hs_avx2.c — AVX2+FMA general word2vec kernel: hierarchical softmax, negative sampling, document rows
 * (semantics in w2v_hs.h; tested against w2v_hs_ref.c).
 *
 * Skip-gram runs as three small GEMMs per position, as the negative-sampling kernel (w2v_avx2.c) does: the C
 * input rows against the O output rows (the center's Huffman path, then the center and the shared negatives),
 * G = In·Out^T (C, O), then dIn = G·Out and Out += G^T·In, so each output row is loaded once per position
 * instead of once per (input, output) pair as in word2vec C. The rows near the root of the tree are shared by
 * every position and stay in cache; the next center's path rows are prefetched while this position computes.
 * CBOW: the path rows are distinct, so their logits are computed together and their sigmoids vectorized
 * (the same result as word2vec C's one-by-one loop, whose updates never touch another path row); the
 * negatives, which may repeat, run one by one in order.
 * The sigmoid and the loss use polynomial exp/log over 8 logits at a time. Compiled with -mavx2 -mfma; only
 * called when e4j_isa_level() == 1. Hogwild: racy on purpose. */
#include "kernels.h"
#include "w2v_rows_avx2.h"

#include <immintrin.h>

typedef struct kctx {
    e4j_w2v_dims dm;
    const e4j_w2v_hs_args *a;
    const e4j_w2v_hs_ws *ws;
    int64_t Op;
} kctx;

/* Gradients and loss of logits G[0 .. n) of outputs 0 .. n in place: G[j] = (label - sigmoid(G[j]))
 * * lr * mask; returns loss + mask·softplus(label ? -x : x) per lane. Lanes from n to the next multiple of 8 are
 * masked off whatever the scratch holds there (G gets 0). */
static inline __m256 sigmoid_grad(const kctx *k, float *G, int64_t n, float lr, __m256 loss) {
    const __m256 lrv = _mm256_set1_ps(lr);
    for (int64_t j = 0; j < n; j += 8) {
        __m256 valid = _mm256_castsi256_ps(e4j_first_lanes(n - j));
        __m256 x = _mm256_and_ps(_mm256_loadu_ps(G + j), valid);
        __m256 msk = _mm256_and_ps(_mm256_loadu_ps(k->ws->mask + j), valid);
        __m256 label = _mm256_and_ps(_mm256_loadu_ps(k->ws->label + j), valid);
        _mm256_storeu_ps(G + j, e4j_w2v_sigmoid_grad8(x, label, msk, lrv, &loss));
    }
    return loss;
}

static void add_to_input(const kctx *k, const e4j_w2v_hs_pos *p, int32_t i, const float *v) {
    const e4j_w2v_hs_args *a = k->a;
    int32_t w = k->ws->inw[i];
    if (w < 0) {
        e4j_w2v_add_row(&k->dm, a->W_doc + (int64_t)p->doc * k->dm.D, v);
        return;
    }
    if (a->flags & E4J_W2V_FREEZE_WORDS) return;
    e4j_w2v_add_to_word(&k->dm, a->W_in, a->sub_offsets, a->sub_ids, w, v);
}

static float sg_avx2(const kctx *k, const e4j_w2v_hs_pos *p) {
    const e4j_w2v_hs_ws *ws = k->ws;
    int64_t Dp = k->dm.Dp, Op = k->Op;
    int32_t C = p->C, O = p->O;
    float *const *orow = ws->orow;
    __m256 lossv = _mm256_setzero_ps();
    e4j_w2v_dots_rows(&k->dm, ws->G, Op, ws->inp, C, orow, O);
    for (int32_t i = 0; i < C; i++) lossv = sigmoid_grad(k, ws->G + i * Op, O, p->lr, lossv);
    e4j_w2v_in_grads(&k->dm, ws->in_grad, ws->G, Op, orow, C, O);
    if (!(k->a->flags & E4J_W2V_FREEZE_WORDS)) e4j_w2v_out_update(&k->dm, orow, ws->mask, ws->G, Op, ws->inp, C, O);
    for (int32_t i = 0; i < C; i++) add_to_input(k, p, i, ws->in_grad + i * Dp);
    return e4j_hsum256(lossv);
}

static double cbow_avx2(const kctx *k, const e4j_w2v_hs_pos *p) {
    const e4j_w2v_hs_args *a = k->a;
    const e4j_w2v_hs_ws *ws = k->ws;
    int64_t Dp = k->dm.Dp;
    int32_t C = p->C, O = p->O;
    int frozen = (a->flags & E4J_W2V_FREEZE_WORDS) != 0;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    e4j_w2v_cbow_h(&k->dm, h, neu1e, ws->inp, C, a->mode == E4J_W2V_CBOW_SUM ? 1.0f : 1.0f / (float)C);
    /* the path: distinct rows, so all logits first (vector sigmoid), then the updates in order */
    int32_t P = O - (a->negative > 0 ? a->negative + 1 : 0);
    double loss = 0.0;
    if (P > 0) {
        float *G = ws->G; /* row 0 of G: free in CBOW */
        e4j_w2v_dots(&k->dm, G, h, ws->orow, 0, P);
        __m256 lossv = sigmoid_grad(k, G, P, p->lr, _mm256_setzero_ps());
        loss += e4j_hsum256(lossv);
        for (int32_t j = 0; j < P; j++) e4j_w2v_cbow_update(&k->dm, ws->orow[j], G[j], neu1e, h, frozen);
    }
    /* negative sampling: one by one (a negative may repeat and must see its own earlier update) */
    for (int32_t j = P; j < O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = ws->orow[j];
        float g = e4j_w2v_grad1(e4j_w2v_dot(&k->dm, h, o), ws->label[j], p->lr, &loss);
        e4j_w2v_cbow_update(&k->dm, o, g, neu1e, h, frozen);
    }
    for (int32_t i = 0; i < C; i++) add_to_input(k, p, i, neu1e);
    return loss;
}

static void gather_inputs(const kctx *k, const e4j_w2v_hs_pos *p) {
    const e4j_w2v_hs_args *a = k->a;
    const e4j_w2v_hs_ws *ws = k->ws;
    for (int32_t i = 0; i < p->C; i++) {
        int32_t w = ws->inw[i];
        if (w < 0) {
            ws->inp[i] = a->W_doc + (int64_t)p->doc * k->dm.D;
            continue;
        }
        if (!a->sub_offsets) {
            ws->inp[i] = a->W_in + (int64_t)w * k->dm.D;
            continue;
        }
        float *v = ws->in_vec + i * k->dm.Dp;
        e4j_w2v_subword_mean(&k->dm, v, a->W_in, a->sub_ids, a->sub_offsets[w], a->sub_offsets[w + 1]);
        ws->inp[i] = v;
    }
}

/* Prefetches the rows of word w's Huffman path (checked when its position is reached; a hint never faults,
 * but the address must be computed from an in-range code, so out-of-range entries are skipped). */
static void prefetch_path(const kctx *k, int32_t w) {
    const e4j_w2v_hs_args *a = k->a;
    if (!a->code_offsets) return;
    int64_t lo = a->code_offsets[w], hi = a->code_offsets[w + 1], end = a->code_offsets[a->V];
    if (lo < 0 || hi > end || hi - lo > a->max_code_len) return;
    for (int64_t j = lo; j < hi; j++) {
        int32_t c = a->codes[j];
        if (c >= 0 && (int64_t)(c >> 1) < a->H) e4j_prefetch_row(a->W_hs + (int64_t)(c >> 1) * k->dm.D, k->dm.D);
    }
}

e4j_status e4j_w2v_hs_train_avx2(const e4j_w2v_hs_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    e4j_w2v_hs_ws ws;
    int32_t max_out = a->max_code_len + a->negative + 1;
    e4j_w2v_hs_layout(a->D, a->window, max_out, &ws, a->workspace);
    kctx k = {e4j_w2v_dims_of(a->D), a, &ws, e4j_w2v_pad8(max_out)};
    const int32_t *tok = a->tokens;
    uint64_t r = *rng;
    double loss = 0.0;
    int64_t np = 0;
    e4j_status st = E4J_OK;
    int64_t s = 0;
    while (s < a->T && st == E4J_OK) {
        if (tok[s] == -1) {
            s++;
            continue;
        }
        int64_t e = s;
        while (e < a->T && tok[e] != -1) e++;
        for (int64_t t = s; t < e; t++) {
            if (t + 1 < e) prefetch_path(&k, tok[t + 1]);
            e4j_w2v_hs_pos p;
            st = e4j_w2v_hs_position(a, &ws, t, s, e, &r, &p);
            if (st != E4J_OK) break;
            if (p.C == 0) continue;
            gather_inputs(&k, &p);
            if (a->mode == E4J_W2V_SKIP_GRAM) {
                loss += sg_avx2(&k, &p);
                np += p.C;
            } else {
                loss += cbow_avx2(&k, &p);
                np += 1;
            }
        }
        s = e;
    }
    *rng = r;
    *loss_sum += loss;
    *pairs += np;
    return st;
}
