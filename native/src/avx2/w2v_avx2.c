/* w2v_avx2.c — AVX2+FMA word2vec kernel (semantics in w2v.h; tested against w2v_ref.c).
 *
 * Skip-gram runs as three small GEMMs per window (Ji et al., "Parallelizing Word2Vec in Shared and
 * Distributed Memory"): the C context rows against the K+1 output rows (the center and the window's
 * shared negatives), G = In·Out^T (C, K+1), then dIn = G·Out and Out += G^T·In. Each output row is
 * loaded once per window instead of once per (context, output) pair as in word2vec C.
 * The sigmoid and the loss use polynomial exp/log over 8 logits at a time (no table: a table is
 * discontinuous, which would make this path drift from the references).
 * The next position's negatives are drawn one position ahead (the RNG stream is the same) so their
 * rows can be prefetched while this window computes, and a scout walk prefetches the table entries of the
 * draws four positions ahead.
 * Compiled with -mavx2 -mfma. The driver (e4j_w2v_train_avx2_with) runs at levels 1 and 2: level 1 with the
 * window step below, level 2 with avx512/w2v_avx512.c's. Hogwild: racy on purpose. */
#include "kernels.h"
#include "w2v_rows_avx2.h"

#include <immintrin.h>

typedef struct kctx {
    e4j_w2v_dims dm;
    const e4j_w2v_args *a;
    const e4j_w2v_ws *ws;
    int64_t Op;
    int32_t O;
} kctx;

/* Gradients and loss of one row of logits in place: G[j] = (label_j - sigmoid(G[j])) * lr * mask_j, label 1 for
 * output 0 (the center) and 0 for the negatives. */
static inline __m256 sigmoid_grad_row(const kctx *k, float *G, float lr, __m256 loss) {
    const __m256 lrv = _mm256_set1_ps(lr);
    for (int64_t j = 0; j < k->Op; j += 8) {
        __m256 label = j == 0 ? _mm256_setr_ps(1, 0, 0, 0, 0, 0, 0, 0) : _mm256_setzero_ps();
        __m256 g = e4j_w2v_sigmoid_grad8(_mm256_loadu_ps(G + j), label, _mm256_loadu_ps(k->ws->mask + j), lrv, &loss);
        _mm256_storeu_ps(G + j, g);
    }
    return loss;
}

static void add_to_input(const kctx *k, int32_t w, const float *v) {
    e4j_w2v_add_to_word(&k->dm, k->a->W_in, k->a->sub_offsets, k->a->sub_ids, w, v);
}

/* The skip-gram step of level 1 (e4j_w2v_sg_step). */
static float sg_avx2(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C, float lr) {
    const kctx kk = {e4j_w2v_dims_of(a->D), a, ws, e4j_w2v_pad8(a->negative + 1), a->negative + 1}, *k = &kk;
    int64_t D = k->dm.D, Dp = k->dm.Dp, Op = k->Op;
    int32_t O = k->O;
    float *orow[O];
    for (int32_t j = 0; j < O; j++) orow[j] = a->W_out + (int64_t)ws->out[j] * D;
    /* G = In · Out^T, two contexts by four outputs per pass */
    e4j_w2v_dots_rows(&k->dm, ws->G, Op, ws->inp, C, orow, O);
    for (int32_t c = 0; c < C; c++)
        for (int32_t j = O; j < Op; j++) ws->G[c * Op + j] = 0.0f;
    __m256 lossv = _mm256_setzero_ps();
    for (int32_t c = 0; c < C; c++) lossv = sigmoid_grad_row(k, ws->G + c * Op, lr, lossv);
    e4j_w2v_in_grads(&k->dm, ws->in_grad, ws->G, Op, orow, C, O);
    e4j_w2v_out_update(&k->dm, orow, ws->mask, ws->G, Op, ws->inp, C, O);
    for (int32_t c = 0; c < C; c++) add_to_input(k, ws->ctx[c], ws->in_grad + c * Dp);
    return e4j_hsum256(lossv);
}

static double cbow_avx2(const kctx *k, int32_t C, float lr) {
    const e4j_w2v_args *a = k->a;
    const e4j_w2v_ws *ws = k->ws;
    int64_t D = k->dm.D, Dp = k->dm.Dp;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    e4j_w2v_cbow_h(&k->dm, h, neu1e, ws->inp, C, 1.0f / (float)C);
    double loss = 0.0;
    for (int32_t j = 0; j < k->O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = a->W_out + (int64_t)ws->out[j] * D;
        float g = e4j_w2v_grad1(e4j_w2v_dot(&k->dm, h, o), j == 0 ? 1.0f : 0.0f, lr, &loss);
        e4j_w2v_cbow_update(&k->dm, o, g, neu1e, h, 0);
    }
    for (int32_t c = 0; c < C; c++) add_to_input(k, ws->ctx[c], neu1e);
    return loss;
}

/* A second walk over the RNG stream, E4J_W2V_SCOUT positions ahead of the draws: it steps the same LCG over the
 * same positions (one draw for b, K for the negatives), so its state is the draws' state, and prefetches the table
 * entries those draws will read. The table (10^7 entries) is far larger than the caches and its entries feed the
 * row prefetches of the look-ahead: left to the draw, each entry is a DRAM load the window's arithmetic waits on.
 * It reads nothing but the tokens (never the table): the draws, their order and the results are the same without it.
 * (rng >> 16) % S by a multiply: q = mulhi(n, floor((2^64 - 1) / S)) is at most two below n / S for n < 2^48. */
#define E4J_W2V_SCOUT 4

typedef struct scout {
    int64_t t; /* the last position it walked */
    uint64_t r, inv;
} scout;

static inline void scout_step(scout *sc, const e4j_w2v_args *a) {
    int64_t t = sc->t + 1;
    while (t < a->T && a->tokens[t] == -1) t++;
    sc->t = t;
    if (t >= a->T) return;
    uint64_t r = e4j_w2v_next(sc->r), S = (uint64_t)a->S;
    for (int32_t k = 0; k < a->negative; k++) {
        r = e4j_w2v_next(r);
        uint64_t n = r >> 16, q = (uint64_t)(((unsigned __int128)n * sc->inv) >> 64), m = n - q * S;
        while (m >= S) m -= S;
        __builtin_prefetch(a->neg_table + m);
    }
    sc->r = r;
}

static e4j_status gather_inputs(const kctx *k, int32_t C) {
    const e4j_w2v_args *a = k->a;
    const e4j_w2v_ws *ws = k->ws;
    for (int32_t c = 0; c < C; c++) {
        int32_t w = ws->ctx[c];
        if (!a->sub_offsets) {
            ws->inp[c] = a->W_in + (int64_t)w * k->dm.D;
            continue;
        }
        e4j_status st = e4j_w2v_check_subwords(a, w);
        if (st != E4J_OK) return st;
        float *v = ws->in_vec + c * k->dm.Dp;
        e4j_w2v_subword_mean(&k->dm, v, a->W_in, a->sub_ids, a->sub_offsets[w], a->sub_offsets[w + 1]);
        ws->inp[c] = v;
    }
    return E4J_OK;
}

e4j_status e4j_w2v_train_avx2(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    return e4j_w2v_train_avx2_with(a, loss_sum, pairs, rng, sg_avx2);
}

e4j_status e4j_w2v_train_avx2_with(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng,
                                   e4j_w2v_sg_step sg) {
    e4j_w2v_ws ws;
    e4j_w2v_layout(a->D, a->window, a->negative, &ws, a->workspace);
    kctx k = {e4j_w2v_dims_of(a->D), a, &ws, e4j_w2v_pad8(a->negative + 1), a->negative + 1};
    for (int64_t j = 0; j < k.Op; j++) ws.mask[j] = 0.0f; /* padding lanes stay 0 */

    const int32_t *tok = a->tokens;
    int64_t T = a->T, Op = k.Op;
    uint64_t r = *rng;
    double loss = 0.0;
    int64_t np = 0;
    e4j_status st = E4J_OK;
    int32_t *cur = ws.out, *nxt = ws.out + Op;
    int32_t b_cur = 0, b_nxt = 0;
    int64_t bad_cur = -1, bad_nxt = -1;

    int64_t t = 0;
    while (t < T && tok[t] == -1) t++;
    if (t < T) r = e4j_w2v_draw(r, a, tok[t], &b_cur, cur, &bad_cur);
    scout sc = {t, r, UINT64_MAX / (uint64_t)a->S};
    for (int i = 0; i < E4J_W2V_SCOUT && sc.t < T; i++) scout_step(&sc, a);
    int64_t s = 0, e = 0;
    while (t < T) {
        if (t >= e) { /* entering a new sentence */
            s = t;
            e = t;
            while (e < T && tok[e] != -1) e++;
        }
        int64_t tn = t + 1;
        while (tn < T && tok[tn] == -1) tn++;
        if (sc.t < T) scout_step(&sc, a);
        if (tn < T) { /* look ahead: same draws in the same order, rows fetched early */
            r = e4j_w2v_draw(r, a, tok[tn], &b_nxt, nxt, &bad_nxt);
            for (int32_t j = 0; j <= a->negative; j++) e4j_prefetch_row(a->W_out + (int64_t)nxt[j] * a->D, a->D);
            int64_t in_next = tn + a->window;
            if (!a->sub_offsets && in_next < T && tok[in_next] >= 0)
                e4j_prefetch_row(a->W_in + (int64_t)tok[in_next] * a->D, a->D);
        }
        if (bad_cur >= 0) {
            st = e4j_fail(E4J_ERR_INDEX, "w2v: neg_table[%lld] = %d out of range [0, %lld)", (long long)bad_cur,
                          a->neg_table[bad_cur], (long long)a->V);
            break;
        }
        float lr = a->lr_start + (a->lr_end - a->lr_start) * (float)((double)t / (double)T);
        int32_t center = tok[t], C = 0;
        for (int64_t q = t - a->window + b_cur; q <= t + a->window - b_cur; q++)
            if (q != t && q >= s && q < e) ws.ctx[C++] = tok[q];
        if (C > 0) {
            st = gather_inputs(&k, C);
            if (st != E4J_OK) break;
            ws.out = cur;
            for (int32_t j = 0; j <= a->negative; j++) ws.mask[j] = (j == 0 || cur[j] != center) ? 1.0f : 0.0f;
            if (a->cbow) {
                loss += cbow_avx2(&k, C, lr);
                np += 1;
            } else {
                loss += sg(a, &ws, C, lr);
                np += C;
            }
        }
        int32_t *tmp = cur;
        cur = nxt;
        nxt = tmp;
        b_cur = b_nxt;
        bad_cur = bad_nxt;
        t = tn;
    }
    *rng = r;
    *loss_sum += loss;
    *pairs += np;
    return st;
}
