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
    const e4j_w2v_hs_args *a;
    const e4j_w2v_hs_ws *ws;
    int64_t D, Dp, D8, Op;
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

/* G[j] = x·orow[j] for j in [j0, j1), four rows per pass over x. */
static void dots(const kctx *k, float *G, const float *x, float *const *orow, int32_t j0, int32_t j1) {
    int64_t D = k->D, D8 = k->D8;
    int32_t j = j0;
    for (; j + 4 <= j1; j += 4) {
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
        _mm_storeu_ps(G + j, e4j_hsum4x256(a0, a1, a2, a3));
    }
    for (; j < j1; j++) G[j] = dot1(k, x, orow[j]);
}

/* Gradients and loss of logits G[0 .. n) of outputs 0 .. n in place: G[j] = (label - sigmoid(G[j]))
 * * lr * mask; returns loss + mask·softplus(label ? -x : x) per lane. Lanes from n to the next multiple of 8 are
 * masked off whatever the scratch holds there (G gets 0). */
static inline __m256 sigmoid_grad(const kctx *k, float *G, int64_t n, float lr, __m256 loss) {
    const __m256 one = _mm256_set1_ps(1.0f), lrv = _mm256_set1_ps(lr);
    for (int64_t j = 0; j < n; j += 8) {
        __m256 valid = _mm256_castsi256_ps(e4j_first_lanes(n - j));
        __m256 x = _mm256_and_ps(_mm256_loadu_ps(G + j), valid);
        x = _mm256_min_ps(_mm256_set1_ps(E4J_W2V_MAX_X), _mm256_max_ps(_mm256_set1_ps(-E4J_W2V_MAX_X), x));
        __m256 msk = _mm256_and_ps(_mm256_loadu_ps(k->ws->mask + j), valid);
        __m256 label = _mm256_and_ps(_mm256_loadu_ps(k->ws->label + j), valid);
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

static void add_to_input(const kctx *k, const e4j_w2v_hs_pos *p, int32_t i, const float *v) {
    const e4j_w2v_hs_args *a = k->a;
    int32_t w = k->ws->inw[i];
    if (w < 0) {
        add_row(k, a->W_doc + (int64_t)p->doc * k->D, v);
        return;
    }
    if (a->flags & E4J_W2V_FREEZE_WORDS) return;
    if (!a->sub_offsets) {
        add_row(k, a->W_in + (int64_t)w * k->D, v);
        return;
    }
    for (int64_t j = a->sub_offsets[w]; j < a->sub_offsets[w + 1]; j++)
        add_row(k, a->W_in + (int64_t)a->sub_ids[j] * k->D, v);
}

static float sg_avx2(const kctx *k, const e4j_w2v_hs_pos *p) {
    const e4j_w2v_hs_ws *ws = k->ws;
    int64_t D = k->D, Dp = k->Dp, D8 = k->D8, Op = k->Op;
    int32_t C = p->C, O = p->O;
    float *const *orow = ws->orow;
    __m256 lossv = _mm256_setzero_ps();
    for (int32_t i = 0; i < C; i++) {
        float *Gi = ws->G + i * Op;
        dots(k, Gi, ws->inp[i], orow, 0, O);
        lossv = sigmoid_grad(k, Gi, O, p->lr, lossv);
    }
    /* dIn = G · Out (from the output rows before their update) */
    for (int32_t i = 0; i < C; i++) {
        const float *Gi = ws->G + i * Op;
        float *gi = ws->in_grad + i * Dp;
        for (int64_t d = 0; d < D8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gi + j), _mm256_loadu_ps(orow[j] + d), acc);
            _mm256_store_ps(gi + d, acc);
        }
        if (D8 < D) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gi + j), ld_tail(k, orow[j] + D8), acc);
            _mm256_store_ps(gi + D8, acc);
        }
    }
    /* Out += G^T · In */
    if (!(k->a->flags & E4J_W2V_FREEZE_WORDS)) {
        for (int32_t j = 0; j < O; j++) {
            if (ws->mask[j] == 0.0f) continue;
            float *o = orow[j];
            int64_t d = 0;
            for (; d < D8; d += 8) {
                __m256 acc = _mm256_setzero_ps();
                for (int32_t i = 0; i < C; i++)
                    acc =
                        _mm256_fmadd_ps(_mm256_broadcast_ss(ws->G + i * Op + j), _mm256_loadu_ps(ws->inp[i] + d), acc);
                _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), acc));
            }
            if (d < D) {
                __m256 acc = _mm256_setzero_ps();
                for (int32_t i = 0; i < C; i++)
                    acc = _mm256_fmadd_ps(_mm256_broadcast_ss(ws->G + i * Op + j), ld_tail(k, ws->inp[i] + d), acc);
                _mm256_maskstore_ps(o + d, k->tail, _mm256_add_ps(ld_tail(k, o + d), acc));
            }
        }
    }
    for (int32_t i = 0; i < C; i++) add_to_input(k, p, i, ws->in_grad + i * Dp);
    return e4j_hsum256(lossv);
}

/* neu1e += g·o (old row); unless frozen, o += g·h. */
static inline void cbow_update(const kctx *k, float *o, float g, float *neu1e, const float *h, int frozen) {
    __m256 gv = _mm256_set1_ps(g);
    int64_t d = 0;
    for (; d < k->D8; d += 8) {
        __m256 ov = _mm256_loadu_ps(o + d);
        _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
        if (!frozen) _mm256_storeu_ps(o + d, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
    }
    if (d < k->D) {
        __m256 ov = ld_tail(k, o + d);
        _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
        if (!frozen) _mm256_maskstore_ps(o + d, k->tail, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
    }
}

static double cbow_avx2(const kctx *k, const e4j_w2v_hs_pos *p) {
    const e4j_w2v_hs_args *a = k->a;
    const e4j_w2v_hs_ws *ws = k->ws;
    int64_t Dp = k->Dp;
    int32_t C = p->C, O = p->O;
    int frozen = (a->flags & E4J_W2V_FREEZE_WORDS) != 0;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    __m256 scale = _mm256_set1_ps(a->mode == E4J_W2V_CBOW_SUM ? 1.0f : 1.0f / (float)C);
    for (int64_t d = 0; d < Dp; d += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int32_t i = 0; i < C; i++)
            s = _mm256_add_ps(s, d < k->D8 ? _mm256_loadu_ps(ws->inp[i] + d) : ld_tail(k, ws->inp[i] + d));
        _mm256_store_ps(h + d, _mm256_mul_ps(s, scale));
        _mm256_store_ps(neu1e + d, _mm256_setzero_ps());
    }
    /* the path: distinct rows, so all logits first (vector sigmoid), then the updates in order */
    int32_t P = O - (a->negative > 0 ? a->negative + 1 : 0);
    double loss = 0.0;
    if (P > 0) {
        float *G = ws->G; /* row 0 of G: free in CBOW */
        dots(k, G, h, ws->orow, 0, P);
        __m256 lossv = sigmoid_grad(k, G, P, p->lr, _mm256_setzero_ps());
        loss += e4j_hsum256(lossv);
        for (int32_t j = 0; j < P; j++) cbow_update(k, ws->orow[j], G[j], neu1e, h, frozen);
    }
    /* negative sampling: one by one (a negative may repeat and must see its own earlier update) */
    for (int32_t j = P; j < O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = ws->orow[j];
        float x = dot1(k, h, o);
        x = x > E4J_W2V_MAX_X ? E4J_W2V_MAX_X : (x < -E4J_W2V_MAX_X ? -E4J_W2V_MAX_X : x);
        float e = expf(-x);
        float g = (ws->label[j] - 1.0f / (1.0f + e)) * p->lr;
        loss += (double)log1pf(e) + (ws->label[j] != 0.0f ? 0.0 : (double)x);
        cbow_update(k, o, g, neu1e, h, frozen);
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
            ws->inp[i] = a->W_doc + (int64_t)p->doc * k->D;
            continue;
        }
        if (!a->sub_offsets) {
            ws->inp[i] = a->W_in + (int64_t)w * k->D;
            continue;
        }
        float *v = ws->in_vec + i * k->Dp;
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
        if (c >= 0 && (int64_t)(c >> 1) < a->H) e4j_prefetch_row(a->W_hs + (int64_t)(c >> 1) * k->D, k->D);
    }
}

e4j_status e4j_w2v_hs_train_avx2(const e4j_w2v_hs_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    e4j_w2v_hs_ws ws;
    int32_t max_out = a->max_code_len + a->negative + 1;
    e4j_w2v_hs_layout(a->D, a->window, max_out, &ws, a->workspace);
    kctx k = {a, &ws, a->D, e4j_w2v_pad8(a->D), a->D & ~(int64_t)7, e4j_w2v_pad8(max_out), _mm256_setzero_si256()};
    k.tail = e4j_first_lanes(a->D - k.D8);
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
