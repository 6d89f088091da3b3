/* w2v_avx2.c — AVX2+FMA word2vec kernel (semantics in w2v.h; tested against w2v_ref.c).
 *
 * Skip-gram runs as three small GEMMs per window (Ji et al., "Parallelizing Word2Vec in Shared and
 * Distributed Memory"): the C context rows against the K+1 output rows (the center and the window's
 * shared negatives), G = In·Out^T (C, K+1), then dIn = G·Out and Out += G^T·In. Each output row is
 * loaded once per window instead of once per (context, output) pair as in word2vec C.
 * The sigmoid and the loss use polynomial exp/log over 8 logits at a time (no table: a table is
 * discontinuous, which would make this path drift from the references).
 * The next position's negatives are drawn one position ahead (the RNG stream is the same) so their
 * rows can be prefetched while this window computes.
 * Compiled with -mavx2 -mfma; only called when e4j_isa_level() == 1. Hogwild: racy on purpose. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

/* log(v) for finite v >= 1: v = m·2^k with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh((m-1)/(m+1)). */
static inline __m256 log256(__m256 v) {
    __m256i bits = _mm256_castps_si256(v);
    __m256i k = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
    __m256 m = _mm256_castsi256_ps(
        _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000)));
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    __m256 kf = _mm256_add_ps(_mm256_cvtepi32_ps(k), _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
    __m256 s = _mm256_div_ps(_mm256_sub_ps(m, _mm256_set1_ps(1.0f)), _mm256_add_ps(m, _mm256_set1_ps(1.0f)));
    __m256 s2 = _mm256_mul_ps(s, s);
    __m256 p = _mm256_set1_ps(1.0f / 9.0f);
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 7.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 5.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 3.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f));
    return _mm256_fmadd_ps(kf, _mm256_set1_ps(0.69314718056f), _mm256_mul_ps(_mm256_add_ps(s, s), p));
}

typedef struct kctx {
    const e4j_w2v_args *a;
    const e4j_w2v_ws *ws;
    int64_t D, Dp, D8, Op;
    int32_t O;
    __m256i tail; /* lanes d < D - D8 of the last partial vector */
} kctx;

static inline __m256 ld_tail(const kctx *k, const float *p) { return _mm256_maskload_ps(p, k->tail); }

static inline float dot1(const kctx *k, const float *x, const float *y) {
    __m256 acc = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d < k->D8; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(y + d), acc);
    if (d < k->D) acc = _mm256_fmadd_ps(ld_tail(k, x + d), ld_tail(k, y + d), acc);
    return e4j_hsum256(acc);
}

/* Gradients and loss of one row of logits in place: G[j] = (label_j - sigmoid(G[j])) * lr * mask_j. */
static inline __m256 sigmoid_grad_row(const kctx *k, float *G, float lr, __m256 loss) {
    const __m256 one = _mm256_set1_ps(1.0f), lrv = _mm256_set1_ps(lr);
    for (int64_t j = 0; j < k->Op; j += 8) {
        __m256 x = _mm256_loadu_ps(G + j);
        x = _mm256_min_ps(_mm256_set1_ps(E4J_W2V_MAX_X), _mm256_max_ps(_mm256_set1_ps(-E4J_W2V_MAX_X), x));
        __m256 msk = _mm256_loadu_ps(k->ws->mask + j);
        __m256 label = j == 0 ? _mm256_setr_ps(1, 0, 0, 0, 0, 0, 0, 0) : _mm256_setzero_ps();
        __m256 e = e4j_exp256(_mm256_sub_ps(_mm256_setzero_ps(), x));
        __m256 opl = _mm256_add_ps(one, e);
        __m256 sig = _mm256_div_ps(one, opl);
        /* softplus(-x) = log(1 + e^-x) for label 1; softplus(x) = x + log(1 + e^-x) for label 0 */
        __m256 l = _mm256_add_ps(log256(opl), _mm256_mul_ps(_mm256_sub_ps(one, label), x));
        loss = _mm256_fmadd_ps(l, msk, loss);
        _mm256_storeu_ps(G + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(label, sig), lrv), msk));
    }
    return loss;
}

/* row += v (v is a padded scratch row). */
static inline void add_row(const kctx *k, float *row, const float *v) {
    int64_t d = 0;
    for (; d < k->D8; d += 8) _mm256_storeu_ps(row + d, _mm256_add_ps(_mm256_loadu_ps(row + d), _mm256_load_ps(v + d)));
    if (d < k->D) _mm256_maskstore_ps(row + d, k->tail, _mm256_add_ps(ld_tail(k, row + d), _mm256_load_ps(v + d)));
}

static void add_to_input(const kctx *k, int32_t w, const float *v) {
    const e4j_w2v_args *a = k->a;
    if (!a->sub_offsets) {
        add_row(k, a->W_in + (int64_t)w * k->D, v);
        return;
    }
    for (int64_t j = a->sub_offsets[w]; j < a->sub_offsets[w + 1]; j++)
        add_row(k, a->W_in + (int64_t)a->sub_ids[j] * k->D, v);
}

static float sg_avx2(const kctx *k, int32_t C, float lr) {
    const e4j_w2v_args *a = k->a;
    const e4j_w2v_ws *ws = k->ws;
    int64_t D = k->D, Dp = k->Dp, D8 = k->D8, Op = k->Op;
    int32_t O = k->O;
    const float *orow[O];
    for (int32_t j = 0; j < O; j++) orow[j] = a->W_out + (int64_t)ws->out[j] * D;
    /* G = In · Out^T, four outputs per pass over a context row */
    for (int32_t c = 0; c < C; c++) {
        const float *x = ws->inp[c];
        float *Gc = ws->G + c * Op;
        int32_t j = 0;
        for (; j + 4 <= O; j += 4) {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            int64_t d = 0;
            for (; d < D8; d += 8) {
                __m256 xv = _mm256_loadu_ps(x + d);
                a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(orow[j] + d), a0);
                a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(orow[j + 1] + d), a1);
                a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(orow[j + 2] + d), a2);
                a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(orow[j + 3] + d), a3);
            }
            if (d < D) {
                __m256 xv = ld_tail(k, x + d);
                a0 = _mm256_fmadd_ps(xv, ld_tail(k, orow[j] + d), a0);
                a1 = _mm256_fmadd_ps(xv, ld_tail(k, orow[j + 1] + d), a1);
                a2 = _mm256_fmadd_ps(xv, ld_tail(k, orow[j + 2] + d), a2);
                a3 = _mm256_fmadd_ps(xv, ld_tail(k, orow[j + 3] + d), a3);
            }
            _mm_storeu_ps(Gc + j, e4j_hsum4x256(a0, a1, a2, a3));
        }
        for (; j < O; j++) Gc[j] = dot1(k, x, orow[j]);
        for (j = O; j < Op; j++) Gc[j] = 0.0f;
    }
    __m256 lossv = _mm256_setzero_ps();
    for (int32_t c = 0; c < C; c++) lossv = sigmoid_grad_row(k, ws->G + c * Op, lr, lossv);
    /* dIn = G · Out (from the output rows before their update) */
    for (int32_t c = 0; c < C; c++) {
        const float *Gc = ws->G + c * Op;
        float *gi = ws->in_grad + c * Dp;
        for (int64_t d = 0; d < D8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gc + j), _mm256_loadu_ps(orow[j] + d), acc);
            _mm256_store_ps(gi + d, acc);
        }
        if (D8 < D) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gc + j), ld_tail(k, orow[j] + D8), acc);
            _mm256_store_ps(gi + D8, acc);
        }
    }
    /* Out += G^T · In */
    for (int32_t j = 0; j < O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = a->W_out + (int64_t)ws->out[j] * D;
        int64_t d = 0;
        for (; d < D8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t c = 0; c < C; c++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(ws->G + c * Op + j), _mm256_loadu_ps(ws->inp[c] + d), acc);
            _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), acc));
        }
        if (d < D) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t c = 0; c < C; c++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(ws->G + c * Op + j), ld_tail(k, ws->inp[c] + d), acc);
            _mm256_maskstore_ps(o + d, k->tail, _mm256_add_ps(ld_tail(k, o + d), acc));
        }
    }
    for (int32_t c = 0; c < C; c++) add_to_input(k, ws->ctx[c], ws->in_grad + c * Dp);
    return e4j_hsum256(lossv);
}

static double cbow_avx2(const kctx *k, int32_t C, float lr) {
    const e4j_w2v_args *a = k->a;
    const e4j_w2v_ws *ws = k->ws;
    int64_t D = k->D, Dp = k->Dp;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    __m256 inv = _mm256_set1_ps(1.0f / (float)C);
    for (int64_t d = 0; d < Dp; d += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int32_t c = 0; c < C; c++)
            s = _mm256_add_ps(s, d < k->D8 ? _mm256_loadu_ps(ws->inp[c] + d) : ld_tail(k, ws->inp[c] + d));
        _mm256_store_ps(h + d, _mm256_mul_ps(s, inv));
        _mm256_store_ps(neu1e + d, _mm256_setzero_ps());
    }
    double loss = 0.0;
    for (int32_t j = 0; j < k->O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = a->W_out + (int64_t)ws->out[j] * D;
        float x = dot1(k, h, o);
        x = x > E4J_W2V_MAX_X ? E4J_W2V_MAX_X : (x < -E4J_W2V_MAX_X ? -E4J_W2V_MAX_X : x);
        float e = expf(-x);
        float g = ((j == 0 ? 1.0f : 0.0f) - 1.0f / (1.0f + e)) * lr;
        loss += (double)log1pf(e) + (j == 0 ? 0.0 : (double)x);
        __m256 gv = _mm256_set1_ps(g);
        int64_t d = 0;
        for (; d < k->D8; d += 8) {
            __m256 ov = _mm256_loadu_ps(o + d);
            _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
            _mm256_storeu_ps(o + d, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
        }
        if (d < D) {
            __m256 ov = ld_tail(k, o + d);
            _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
            _mm256_maskstore_ps(o + d, k->tail, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
        }
    }
    for (int32_t c = 0; c < C; c++) add_to_input(k, ws->ctx[c], neu1e);
    return loss;
}

static e4j_status gather_inputs(const kctx *k, int32_t C) {
    const e4j_w2v_args *a = k->a;
    const e4j_w2v_ws *ws = k->ws;
    for (int32_t c = 0; c < C; c++) {
        int32_t w = ws->ctx[c];
        if (!a->sub_offsets) {
            ws->inp[c] = a->W_in + (int64_t)w * k->D;
            continue;
        }
        e4j_status st = e4j_w2v_check_subwords(a, w);
        if (st != E4J_OK) return st;
        float *v = ws->in_vec + c * k->Dp;
        int64_t lo = a->sub_offsets[w], hi = a->sub_offsets[w + 1];
        __m256 inv = _mm256_set1_ps(1.0f / (float)(hi - lo));
        for (int64_t d = 0; d < k->Dp; d += 8) {
            __m256 s = _mm256_setzero_ps();
            for (int64_t j = lo; j < hi; j++) {
                const float *row = a->W_in + (int64_t)a->sub_ids[j] * k->D + d;
                s = _mm256_add_ps(s, d < k->D8 ? _mm256_loadu_ps(row) : ld_tail(k, row));
            }
            _mm256_store_ps(v + d, _mm256_mul_ps(s, inv));
        }
        ws->inp[c] = v;
    }
    return E4J_OK;
}

e4j_status e4j_w2v_train_avx2(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    e4j_w2v_ws ws;
    e4j_w2v_layout(a->D, a->window, a->negative, &ws, a->workspace);
    kctx k = {a,
              &ws,
              a->D,
              e4j_w2v_pad8(a->D),
              a->D & ~(int64_t)7,
              e4j_w2v_pad8(a->negative + 1),
              a->negative + 1,
              _mm256_setzero_si256()};
    k.tail = e4j_first_lanes(a->D - k.D8);
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
    int64_t s = 0, e = 0;
    while (t < T) {
        if (t >= e) { /* entering a new sentence */
            s = t;
            e = t;
            while (e < T && tok[e] != -1) e++;
        }
        int64_t tn = t + 1;
        while (tn < T && tok[tn] == -1) tn++;
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
                loss += sg_avx2(&k, C, lr);
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
