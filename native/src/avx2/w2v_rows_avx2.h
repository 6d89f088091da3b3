/* w2v_rows_avx2.h — the row operations of the two AVX2 word2vec kernels (w2v_avx2.c, negative sampling;
 * w2v_hs_avx2.c, hierarchical softmax, negative sampling and document rows), each in one place: dot products,
 * the batched skip-gram steps (G = In·Out^T, dIn = G·Out, Out += G^T·In), the sigmoid and loss of 8 logits,
 * CBOW's h and its one-by-one update, subword means and row additions. Semantics in w2v.h and w2v_hs.h.
 * Every helper is one fixed sequence of operations (the kernels are compiled with -ffp-contract=off and use
 * explicit FMAs), so both kernels compute the same bits whichever of them calls it.
 * Include only from src/avx2 (built with -mavx2 -mfma). The rows are the caller's weights, updated without locks
 * (Hogwild: racy on purpose); scratch rows (in_grad, h, neu1e, subword means) are 32-byte aligned, Dp long.
 * Shapes: D the vector width, Dp = D rounded up to 8, D8 = D rounded down to 8; C inputs, O outputs,
 * Op = O rounded up to 8; inp (C) and orow (O) point to rows of D floats; G (C,Op); in_grad (C,Dp). */
#ifndef E4J_W2V_ROWS_AVX2_H
#define E4J_W2V_ROWS_AVX2_H
#include "avx2_math.h"
#include "w2v.h"

#include <immintrin.h>
#include <math.h>

typedef struct e4j_w2v_dims {
    int64_t D, Dp, D8;
    __m256i tail; /* lanes d < D - D8 of the last partial vector */
} e4j_w2v_dims;

static inline e4j_w2v_dims e4j_w2v_dims_of(int64_t D) {
    e4j_w2v_dims k = {D, e4j_w2v_pad8(D), D & ~(int64_t)7, _mm256_setzero_si256()};
    k.tail = e4j_first_lanes(D - k.D8);
    return k;
}

static inline __m256 e4j_w2v_ld_tail(const e4j_w2v_dims *k, const float *p) { return _mm256_maskload_ps(p, k->tail); }

static inline float e4j_w2v_dot(const e4j_w2v_dims *k, const float *x, const float *y) {
    __m256 acc = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d < k->D8; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(y + d), acc);
    if (d < k->D) acc = _mm256_fmadd_ps(e4j_w2v_ld_tail(k, x + d), e4j_w2v_ld_tail(k, y + d), acc);
    return e4j_hsum256(acc);
}

/* G[j] = x·orow[j] for j in [j0, j1), four rows per pass over x. */
static inline void e4j_w2v_dots(const e4j_w2v_dims *k, float *G, const float *x, float *const *orow, int32_t j0,
                                int32_t j1) {
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
            __m256 xv = e4j_w2v_ld_tail(k, x + d);
            a0 = _mm256_fmadd_ps(xv, e4j_w2v_ld_tail(k, orow[j] + d), a0);
            a1 = _mm256_fmadd_ps(xv, e4j_w2v_ld_tail(k, orow[j + 1] + d), a1);
            a2 = _mm256_fmadd_ps(xv, e4j_w2v_ld_tail(k, orow[j + 2] + d), a2);
            a3 = _mm256_fmadd_ps(xv, e4j_w2v_ld_tail(k, orow[j + 3] + d), a3);
        }
        _mm_storeu_ps(G + j, e4j_hsum4x256(a0, a1, a2, a3));
    }
    for (; j < j1; j++) G[j] = e4j_w2v_dot(k, x, orow[j]);
}

/* G[i, j] = inp[i]·orow[j] for i < C, j < O (row i of G at G + i*Op): two inputs by four outputs per pass (eight
 * accumulators, six loads per eight FMAs); every dot sums its products in the order of e4j_w2v_dots, so the two
 * give the same bits. */
static inline void e4j_w2v_dots_rows(const e4j_w2v_dims *k, float *G, int64_t Op, const float *const *inp, int32_t C,
                                     float *const *orow, int32_t O) {
    int64_t D = k->D, D8 = k->D8;
    int32_t i = 0;
    for (; i + 2 <= C; i += 2) {
        const float *x0 = inp[i], *x1 = inp[i + 1];
        float *G0 = G + i * Op, *G1 = G0 + Op;
        int32_t j = 0;
        for (; j + 4 <= O; j += 4) {
            const float *o0 = orow[j], *o1 = orow[j + 1], *o2 = orow[j + 2], *o3 = orow[j + 3];
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int64_t d = 0;
            for (; d < D8; d += 8) {
                __m256 u = _mm256_loadu_ps(x0 + d), v = _mm256_loadu_ps(x1 + d), w;
                w = _mm256_loadu_ps(o0 + d), a0 = _mm256_fmadd_ps(u, w, a0), b0 = _mm256_fmadd_ps(v, w, b0);
                w = _mm256_loadu_ps(o1 + d), a1 = _mm256_fmadd_ps(u, w, a1), b1 = _mm256_fmadd_ps(v, w, b1);
                w = _mm256_loadu_ps(o2 + d), a2 = _mm256_fmadd_ps(u, w, a2), b2 = _mm256_fmadd_ps(v, w, b2);
                w = _mm256_loadu_ps(o3 + d), a3 = _mm256_fmadd_ps(u, w, a3), b3 = _mm256_fmadd_ps(v, w, b3);
            }
            if (d < D) {
                __m256 u = e4j_w2v_ld_tail(k, x0 + d), v = e4j_w2v_ld_tail(k, x1 + d), w;
                w = e4j_w2v_ld_tail(k, o0 + d), a0 = _mm256_fmadd_ps(u, w, a0), b0 = _mm256_fmadd_ps(v, w, b0);
                w = e4j_w2v_ld_tail(k, o1 + d), a1 = _mm256_fmadd_ps(u, w, a1), b1 = _mm256_fmadd_ps(v, w, b1);
                w = e4j_w2v_ld_tail(k, o2 + d), a2 = _mm256_fmadd_ps(u, w, a2), b2 = _mm256_fmadd_ps(v, w, b2);
                w = e4j_w2v_ld_tail(k, o3 + d), a3 = _mm256_fmadd_ps(u, w, a3), b3 = _mm256_fmadd_ps(v, w, b3);
            }
            _mm_storeu_ps(G0 + j, e4j_hsum4x256(a0, a1, a2, a3));
            _mm_storeu_ps(G1 + j, e4j_hsum4x256(b0, b1, b2, b3));
        }
        for (; j < O; j++) {
            G0[j] = e4j_w2v_dot(k, x0, orow[j]);
            G1[j] = e4j_w2v_dot(k, x1, orow[j]);
        }
    }
    if (i < C) e4j_w2v_dots(k, G + i * Op, inp[i], orow, 0, O);
}

/* Eight logits x (clamped to ±E4J_W2V_MAX_X here): returns (label - sigmoid(x)) * lr * msk and adds
 * msk·softplus(label ? -x : x) to *loss. */
static inline __m256 e4j_w2v_sigmoid_grad8(__m256 x, __m256 label, __m256 msk, __m256 lrv, __m256 *loss) {
    const __m256 one = _mm256_set1_ps(1.0f);
    x = _mm256_min_ps(_mm256_set1_ps(E4J_W2V_MAX_X), _mm256_max_ps(_mm256_set1_ps(-E4J_W2V_MAX_X), x));
    __m256 e = e4j_exp256(_mm256_sub_ps(_mm256_setzero_ps(), x));
    __m256 opl = _mm256_add_ps(one, e);
    __m256 sig = _mm256_div_ps(one, opl);
    /* softplus(-x) = log(1 + e^-x) for label 1; softplus(x) = x + log(1 + e^-x) for label 0 */
    __m256 l = _mm256_add_ps(e4j_log256(opl), _mm256_mul_ps(_mm256_sub_ps(one, label), x));
    *loss = _mm256_fmadd_ps(l, msk, *loss);
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(label, sig), lrv), msk);
}

/* One logit x (clamped here) of CBOW's one-by-one loop: returns (label - sigmoid(x)) * lr and adds
 * softplus(label ? -x : x) to *loss (label is 1 or 0). */
static inline float e4j_w2v_grad1(float x, float label, float lr, double *loss) {
    x = x > E4J_W2V_MAX_X ? E4J_W2V_MAX_X : (x < -E4J_W2V_MAX_X ? -E4J_W2V_MAX_X : x);
    float e = expf(-x);
    float g = (label - 1.0f / (1.0f + e)) * lr;
    *loss += (double)log1pf(e) + (label != 0.0f ? 0.0 : (double)x);
    return g;
}

/* Declares __m256 acc[4][NV] and sums into it, for t = 0 .. N-1 in order: acc[r][v] += *(GAT) * ROWS[t][d + 8v]
 * (GAT: the G element of t and r). TAIL: the last vector is the row's partial one (masked loads). The shared inner
 * loop of dIn and of Out's update, which differ in the G element and in where the sums go. */
#define E4J_W2V_ACC4(NV, TAIL, N, ROWS, GAT)                                              \
    __m256 acc[4][NV];                                                                    \
    for (int r = 0; r < 4; r++)                                                           \
        for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();                     \
    for (int32_t t = 0; t < (N); t++) {                                                   \
        __m256 x[NV];                                                                     \
        for (int v = 0; v < NV; v++)                                                      \
            x[v] = (TAIL) && v == NV - 1 ? e4j_w2v_ld_tail(k, (ROWS)[t] + d + 8 * v)      \
                                         : _mm256_loadu_ps((ROWS)[t] + d + 8 * v);        \
        for (int r = 0; r < 4; r++) {                                                     \
            __m256 g = _mm256_broadcast_ss(GAT);                                          \
            for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(g, x[v], acc[r][v]); \
        }                                                                                 \
    }

/* Rows i .. i+3 of dIn over the 8*NV columns from d: Σ_j G[i+r, j] orow[j][d + 8v], j in order (the order of the
 * one-row loop). */
#define E4J_W2V_IN_GRADS4(NV, TAIL)                                                                      \
    do {                                                                                                 \
        E4J_W2V_ACC4(NV, TAIL, O, orow, G + (i + r) * Op + t)                                            \
        for (int r = 0; r < 4; r++)                                                                      \
            for (int v = 0; v < NV; v++) _mm256_store_ps(in_grad + (i + r) * Dp + d + 8 * v, acc[r][v]); \
    } while (0)

/* dIn = G · Out: in_grad row i = Σ_j G[i,j] orow[j], from the output rows before their update. Four rows at a
 * time over two vectors of columns (eight accumulators: one load of an output row feeds four rows); every element
 * sums over j in order, as the one-row loop that takes the remaining rows, so the bits do not depend on C. */
static inline void e4j_w2v_in_grads(const e4j_w2v_dims *k, float *in_grad, const float *G, int64_t Op,
                                    float *const *orow, int32_t C, int32_t O) {
    int64_t D = k->D, Dp = k->Dp, D8 = k->D8;
    int32_t i = 0;
    for (; i + 4 <= C; i += 4) {
        int64_t d = 0;
        for (; d + 16 <= D8; d += 16) E4J_W2V_IN_GRADS4(2, 0);
        if (d < D8) {
            E4J_W2V_IN_GRADS4(1, 0);
            d += 8;
        }
        if (d < D) E4J_W2V_IN_GRADS4(1, 1);
    }
    for (; i < C; i++) {
        const float *Gi = G + i * Op;
        float *gi = in_grad + i * Dp;
        for (int64_t d = 0; d < D8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gi + j), _mm256_loadu_ps(orow[j] + d), acc);
            _mm256_store_ps(gi + d, acc);
        }
        if (D8 < D) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t j = 0; j < O; j++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(Gi + j), e4j_w2v_ld_tail(k, orow[j] + D8), acc);
            _mm256_store_ps(gi + D8, acc);
        }
    }
}
#undef E4J_W2V_IN_GRADS4

/* Outputs j .. j+3 over the 8*NV columns from d: Σ_i G[i, j+r] inp[i][d + 8v], i in order, then orow[j+r] += the
 * sum for each unmasked r in order (a row that is two of the outputs gets both, one after the other, as in the
 * one-output loop). TAIL: the last vector is the row's partial one (masked loads and store). */
#define E4J_W2V_OUT_UPDATE4(NV, TAIL)                                                                                 \
    do {                                                                                                              \
        E4J_W2V_ACC4(NV, TAIL, C, inp, G + t * Op + j + r)                                                            \
        for (int r = 0; r < 4; r++) {                                                                                 \
            if (mask[j + r] == 0.0f) continue;                                                                        \
            float *o = orow[j + r] + d;                                                                               \
            for (int v = 0; v < NV; v++) {                                                                            \
                if ((TAIL) && v == NV - 1)                                                                            \
                    _mm256_maskstore_ps(o + 8 * v, k->tail, _mm256_add_ps(e4j_w2v_ld_tail(k, o + 8 * v), acc[r][v])); \
                else                                                                                                  \
                    _mm256_storeu_ps(o + 8 * v, _mm256_add_ps(_mm256_loadu_ps(o + 8 * v), acc[r][v]));                \
            }                                                                                                         \
        }                                                                                                             \
    } while (0)

/* Out += G^T · In: orow[j] += Σ_i G[i,j] inp[i] for every output j whose mask is not 0. Four outputs at a time over
 * two vectors of columns (one load of an input row feeds four outputs); every element sums over i in order, as the
 * one-output loop that takes the remaining outputs, so the bits do not depend on O. */
static inline void e4j_w2v_out_update(const e4j_w2v_dims *k, float *const *orow, const float *mask, const float *G,
                                      int64_t Op, const float *const *inp, int32_t C, int32_t O) {
    int64_t D = k->D, D8 = k->D8;
    int32_t j = 0;
    for (; j + 4 <= O; j += 4) {
        int64_t d = 0;
        for (; d + 16 <= D8; d += 16) E4J_W2V_OUT_UPDATE4(2, 0);
        if (d < D8) {
            E4J_W2V_OUT_UPDATE4(1, 0);
            d += 8;
        }
        if (d < D) E4J_W2V_OUT_UPDATE4(1, 1);
    }
    for (; j < O; j++) {
        if (mask[j] == 0.0f) continue;
        float *o = orow[j];
        int64_t d = 0;
        for (; d < D8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t i = 0; i < C; i++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(G + i * Op + j), _mm256_loadu_ps(inp[i] + d), acc);
            _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), acc));
        }
        if (d < D) {
            __m256 acc = _mm256_setzero_ps();
            for (int32_t i = 0; i < C; i++)
                acc = _mm256_fmadd_ps(_mm256_broadcast_ss(G + i * Op + j), e4j_w2v_ld_tail(k, inp[i] + d), acc);
            _mm256_maskstore_ps(o + d, k->tail, _mm256_add_ps(e4j_w2v_ld_tail(k, o + d), acc));
        }
    }
}
#undef E4J_W2V_OUT_UPDATE4
#undef E4J_W2V_ACC4

/* CBOW's input: h = scale · Σ_i inp[i] (scale 1/C for the mean, 1 for the sum); neu1e = 0. */
static inline void e4j_w2v_cbow_h(const e4j_w2v_dims *k, float *h, float *neu1e, const float *const *inp, int32_t C,
                                  float scale) {
    __m256 sv = _mm256_set1_ps(scale);
    for (int64_t d = 0; d < k->Dp; d += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int32_t i = 0; i < C; i++)
            s = _mm256_add_ps(s, d < k->D8 ? _mm256_loadu_ps(inp[i] + d) : e4j_w2v_ld_tail(k, inp[i] + d));
        _mm256_store_ps(h + d, _mm256_mul_ps(s, sv));
        _mm256_store_ps(neu1e + d, _mm256_setzero_ps());
    }
}

/* One output of CBOW: neu1e += g·o (old row); unless frozen, o += g·h. */
static inline void e4j_w2v_cbow_update(const e4j_w2v_dims *k, float *o, float g, float *neu1e, const float *h,
                                       int frozen) {
    __m256 gv = _mm256_set1_ps(g);
    int64_t d = 0;
    for (; d < k->D8; d += 8) {
        __m256 ov = _mm256_loadu_ps(o + d);
        _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
        if (!frozen) _mm256_storeu_ps(o + d, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
    }
    if (d < k->D) {
        __m256 ov = e4j_w2v_ld_tail(k, o + d);
        _mm256_store_ps(neu1e + d, _mm256_fmadd_ps(gv, ov, _mm256_load_ps(neu1e + d)));
        if (!frozen) _mm256_maskstore_ps(o + d, k->tail, _mm256_fmadd_ps(gv, _mm256_load_ps(h + d), ov));
    }
}

/* v = the mean of rows W[ids[lo .. hi)) (a word's subword rows; hi > lo), padded to Dp. */
static inline void e4j_w2v_subword_mean(const e4j_w2v_dims *k, float *v, const float *W, const int32_t *ids, int64_t lo,
                                        int64_t hi) {
    __m256 inv = _mm256_set1_ps(1.0f / (float)(hi - lo));
    for (int64_t d = 0; d < k->Dp; d += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int64_t j = lo; j < hi; j++) {
            const float *row = W + (int64_t)ids[j] * k->D + d;
            s = _mm256_add_ps(s, d < k->D8 ? _mm256_loadu_ps(row) : e4j_w2v_ld_tail(k, row));
        }
        _mm256_store_ps(v + d, _mm256_mul_ps(s, inv));
    }
}

/* row += v (v is a padded scratch row). */
static inline void e4j_w2v_add_row(const e4j_w2v_dims *k, float *row, const float *v) {
    int64_t d = 0;
    for (; d < k->D8; d += 8) _mm256_storeu_ps(row + d, _mm256_add_ps(_mm256_loadu_ps(row + d), _mm256_load_ps(v + d)));
    if (d < k->D)
        _mm256_maskstore_ps(row + d, k->tail, _mm256_add_ps(e4j_w2v_ld_tail(k, row + d), _mm256_load_ps(v + d)));
}

/* Word w's input rows += v: row w of W_in, or with subwords (sub_offsets != NULL) each of its subword rows. */
static inline void e4j_w2v_add_to_word(const e4j_w2v_dims *k, float *W_in, const int64_t *sub_offsets,
                                       const int32_t *sub_ids, int32_t w, const float *v) {
    if (!sub_offsets) {
        e4j_w2v_add_row(k, W_in + (int64_t)w * k->D, v);
        return;
    }
    for (int64_t j = sub_offsets[w]; j < sub_offsets[w + 1]; j++)
        e4j_w2v_add_row(k, W_in + (int64_t)sub_ids[j] * k->D, v);
}

#endif
