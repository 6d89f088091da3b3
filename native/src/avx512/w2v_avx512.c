/* w2v_avx512.c — the skip-gram window of the word2vec kernel on 16 lanes (semantics in w2v.h; tested against
 * w2v_ref.c by test_w2v at level 2). The driver (draws, look-ahead prefetches, CBOW) is the AVX2 one
 * (e4j_w2v_train_avx2_with); this file gives it the window step: G = In·Out^T (C, K+1) four contexts by four outputs
 * per pass, the sigmoid and loss on 16 lanes (two rows of logits per vector), then dIn = G·Out and
 * Out += G^T·In four rows by two vectors per pass (eight registers of partial sums), and
 * the context rows += dIn. A row's partial last vector is read and written with a lane mask.
 * Compiled with -mavx512f/bw/dq/vl (and -mavx2 -mfma); only called when e4j_isa_level() == 2. Hogwild: racy on
 * purpose. */
#include "../avx2/avx2_math.h"
#include "avx512_math.h"
#include "kernels.h"

#include <immintrin.h>

typedef struct dims16 {
    int64_t D, Dp, D16; /* D16: D rounded down to 16 */
    __mmask16 tail;     /* lanes d < D - D16 of the last partial vector */
} dims16;

static inline __m512 ld(const dims16 *k, const float *p, int tail) {
    return tail ? _mm512_maskz_loadu_ps(k->tail, p) : _mm512_loadu_ps(p);
}

/* The sums of a0..a3's lanes, in lanes 0..3. */
static inline __m128 hsum4x512(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
#define E4J_HALVES(a) _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1))
    return e4j_hsum4x256(E4J_HALVES(a0), E4J_HALVES(a1), E4J_HALVES(a2), E4J_HALVES(a3));
#undef E4J_HALVES
}

static inline float dot16(const dims16 *k, const float *x, const float *y) {
    __m512 acc = _mm512_setzero_ps();
    int64_t d = 0;
    for (; d < k->D16; d += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(x + d), _mm512_loadu_ps(y + d), acc);
    if (d < k->D) acc = _mm512_fmadd_ps(ld(k, x + d, 1), ld(k, y + d, 1), acc);
    return _mm512_reduce_add_ps(acc);
}

/* G[i, j] = inp[i]·orow[j], i0 <= i < i0 + R, for j < O: R (1 to 4) inputs by four outputs per pass. */
#define E4J_INLINE static inline __attribute__((always_inline))

E4J_INLINE void dots_block(const dims16 *k, float *G, int64_t Op, const float *const *inp, int32_t i0, int R,
                           float *const *orow, int32_t O) {
    int64_t D = k->D, D16 = k->D16;
    int32_t j = 0;
    for (; j + 4 <= O; j += 4) {
        __m512 acc[4][4];
        for (int r = 0; r < 4; r++)
            for (int q = 0; q < 4; q++) acc[r][q] = _mm512_setzero_ps();
        for (int64_t d = 0; d < D; d += 16) {
            int tail = d >= D16;
            __m512 o[4];
            for (int q = 0; q < 4; q++) o[q] = tail ? ld(k, orow[j + q] + d, 1) : ld(k, orow[j + q] + d, 0);
            for (int r = 0; r < R; r++) {
                __m512 x = tail ? ld(k, inp[i0 + r] + d, 1) : ld(k, inp[i0 + r] + d, 0);
                for (int q = 0; q < 4; q++) acc[r][q] = _mm512_fmadd_ps(x, o[q], acc[r][q]);
            }
        }
        for (int r = 0; r < R; r++)
            _mm_storeu_ps(G + (i0 + r) * Op + j, hsum4x512(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
    }
    for (; j < O; j++)
        for (int r = 0; r < R; r++) G[(i0 + r) * Op + j] = dot16(k, inp[i0 + r], orow[j]);
}

/* acc[r][v] = Σ_t GAT · ROWS[t][d + 16v] over t < N in order, for r < R and the NV vectors of columns from d (the
 * last one partial when tail; GAT: the G element of t and r). The shared inner loop of dIn and of Out's update,
 * which differ in the G element and in where the sums go. */
#define E4J_ACC16(N, ROWS, GAT)                                                                 \
    __m512 acc[4][2];                                                                           \
    for (int r = 0; r < 4; r++)                                                                 \
        for (int v = 0; v < 2; v++) acc[r][v] = _mm512_setzero_ps();                            \
    for (int32_t t = 0; t < (N); t++) {                                                         \
        __m512 x[2];                                                                            \
        for (int v = 0; v < NV; v++) x[v] = ld(k, (ROWS)[t] + d + 16 * v, tail && v == NV - 1); \
        for (int r = 0; r < R; r++) {                                                           \
            __m512 g = _mm512_set1_ps(GAT);                                                     \
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(g, x[v], acc[r][v]);       \
        }                                                                                       \
    }

/* Rows i0 .. i0+R-1 (R <= 4) of dIn over the NV vectors of columns from d (the last one partial when TAIL). */
E4J_INLINE void in_grads_block(const dims16 *k, float *in_grad, const float *G, int64_t Op, float *const *orow,
                               int32_t O, int32_t i0, int R, int64_t d, int NV, int tail) {
    E4J_ACC16(O, orow, G[(i0 + r) * Op + t])
    for (int r = 0; r < R; r++) /* the partial vector is stored masked: its lanes past Dp are the next row's */
        for (int v = 0; v < NV; v++) {
            float *p = in_grad + (i0 + r) * k->Dp + d + 16 * v;
            if (tail && v == NV - 1)
                _mm512_mask_storeu_ps(p, k->tail, acc[r][v]);
            else
                _mm512_storeu_ps(p, acc[r][v]);
        }
}

/* Outputs j0 .. j0+R-1 (R <= 4) += Σ_i G[i, j] inp[i] over the NV vectors of columns from d, in output order (a
 * row that is two outputs gets both sums), masked outputs skipped. */
E4J_INLINE void out_update_block(const dims16 *k, float *const *orow, const float *mask, const float *G, int64_t Op,
                                 const float *const *inp, int32_t C, int32_t j0, int R, int64_t d, int NV, int tail) {
    E4J_ACC16(C, inp, G[t * Op + j0 + r])
    for (int r = 0; r < R; r++) {
        if (mask[j0 + r] == 0.0f) continue;
        float *o = orow[j0 + r] + d;
        for (int v = 0; v < NV; v++) {
            if (tail && v == NV - 1)
                _mm512_mask_storeu_ps(o + 16 * v, k->tail, _mm512_add_ps(ld(k, o + 16 * v, 1), acc[r][v]));
            else
                _mm512_storeu_ps(o + 16 * v, _mm512_add_ps(_mm512_loadu_ps(o + 16 * v), acc[r][v]));
        }
    }
}

#undef E4J_ACC16

/* Rows i0 .. i0+R-1 of dIn, and outputs j0 .. j0+R-1 updated: over a row's columns two vectors at a time, then one,
 * then the partial one (NV and tail are constants in every call once inlined). */
E4J_INLINE void in_grads_rows(const dims16 *k, float *in_grad, const float *G, int64_t Op, float *const *orow,
                              int32_t O, int32_t i0, int R) {
    int64_t d = 0;
    for (; d + 32 <= k->D16; d += 32) in_grads_block(k, in_grad, G, Op, orow, O, i0, R, d, 2, 0);
    if (d < k->D16) {
        in_grads_block(k, in_grad, G, Op, orow, O, i0, R, d, 1, 0);
        d += 16;
    }
    if (d < k->D) in_grads_block(k, in_grad, G, Op, orow, O, i0, R, d, 1, 1);
}

E4J_INLINE void out_update_rows(const dims16 *k, float *const *orow, const float *mask, const float *G, int64_t Op,
                                const float *const *inp, int32_t C, int32_t j0, int R) {
    int64_t d = 0;
    for (; d + 32 <= k->D16; d += 32) out_update_block(k, orow, mask, G, Op, inp, C, j0, R, d, 2, 0);
    if (d < k->D16) {
        out_update_block(k, orow, mask, G, Op, inp, C, j0, R, d, 1, 0);
        d += 16;
    }
    if (d < k->D) out_update_block(k, orow, mask, G, Op, inp, C, j0, R, d, 1, 1);
}

/* CALL(r) with r = min(n, 4) as a constant, so a block's partial sums stay in registers. */
#define E4J_BY_4(n, CALL)  \
    do {                   \
        if ((n) >= 4)      \
            CALL(4);       \
        else if ((n) == 3) \
            CALL(3);       \
        else if ((n) == 2) \
            CALL(2);       \
        else               \
            CALL(1);       \
    } while (0)

static inline void add_row(const dims16 *k, float *row, const float *v) {
    int64_t d = 0;
    for (; d < k->D16; d += 16)
        _mm512_storeu_ps(row + d, _mm512_add_ps(_mm512_loadu_ps(row + d), _mm512_loadu_ps(v + d)));
    if (d < k->D) _mm512_mask_storeu_ps(row + d, k->tail, _mm512_add_ps(ld(k, row + d, 1), ld(k, v + d, 1)));
}

/* Sixteen logits x (clamped to ±E4J_W2V_MAX_X here): returns (label - sigmoid(x)) * lr * msk and adds
 * msk·softplus(label ? -x : x) to *loss. With t = e^-|x| in (0, 1]: sigmoid(x) = 1/(1+t) for x >= 0 and t/(1+t)
 * below; softplus(-x) = max(-x, 0) + log(1+t) and softplus(x) = softplus(-x) + x. */
static inline __m512 sigmoid_grad16(__m512 x, __m512 label, __m512 msk, __m512 lrv, __m512 *loss) {
    const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    x = _mm512_min_ps(_mm512_set1_ps(E4J_W2V_MAX_X), _mm512_max_ps(_mm512_set1_ps(-E4J_W2V_MAX_X), x));
    __m512 t = e4j_exp512(_mm512_sub_ps(zero, _mm512_abs_ps(x)));
    __m512 inv = _mm512_div_ps(one, _mm512_add_ps(one, t));
    __m512 sig = _mm512_mask_mul_ps(inv, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), t, inv);
    __m512 sp = _mm512_add_ps(_mm512_max_ps(_mm512_sub_ps(zero, x), zero), e4j_log1p_unit512(t));
    __m512 l = _mm512_fmadd_ps(_mm512_sub_ps(one, label), x, sp);
    *loss = _mm512_fmadd_ps(l, msk, *loss);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_sub_ps(label, sig), lrv), msk);
}

/* The gradients and loss of the window's C rows of logits (G, rows of Op floats, padding lanes 0) in place: two
 * rows per vector when Op is 8 (K < 8, the usual case), else each row in vectors of 16 lanes. */
static inline __m512 sigmoid_grad_rows(float *G, const float *mask, int64_t Op, int32_t C, float lr) {
    const __m512 lrv = _mm512_set1_ps(lr);
    __m512 loss = _mm512_setzero_ps();
    if (Op == 8) {
        const __m512 label = _mm512_maskz_mov_ps(0x0101, _mm512_set1_ps(1.0f));
        const __m512 msk = _mm512_broadcast_f32x8(_mm256_loadu_ps(mask));
        for (int32_t i = 0; i < C; i += 2) {
            __mmask16 m = i + 1 < C ? 0xFFFF : 0x00FF;
            __m512 g =
                sigmoid_grad16(_mm512_maskz_loadu_ps(m, G + i * 8), label, _mm512_maskz_mov_ps(m, msk), lrv, &loss);
            _mm512_mask_storeu_ps(G + i * 8, m, g);
        }
        return loss;
    }
    for (int32_t i = 0; i < C; i++) {
        float *Gi = G + i * Op;
        for (int64_t j = 0; j < Op; j += 16) {
            __mmask16 m = e4j_lanes16(Op - j);
            __m512 label = _mm512_maskz_mov_ps(j == 0 ? 0x0001 : 0, _mm512_set1_ps(1.0f));
            __m512 g =
                sigmoid_grad16(_mm512_maskz_loadu_ps(m, Gi + j), label, _mm512_maskz_loadu_ps(m, mask + j), lrv, &loss);
            _mm512_mask_storeu_ps(Gi + j, m, g);
        }
    }
    return loss;
}

static float sg_avx512(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C, float lr) {
    int64_t D = a->D, D16 = D & ~(int64_t)15, Op = e4j_w2v_pad8(a->negative + 1);
    const dims16 kk = {D, e4j_w2v_pad8(D), D16, (__mmask16)((1u << (D - D16)) - 1u)}, *k = &kk;
    int32_t O = a->negative + 1;
    float *G = ws->G;
    float *orow[O];
    for (int32_t j = 0; j < O; j++) orow[j] = a->W_out + (int64_t)ws->out[j] * D;
#define E4J_DOTS(r) dots_block(k, G, Op, ws->inp, i, r, orow, O)
    for (int32_t i = 0; i < C; i += 4) E4J_BY_4(C - i, E4J_DOTS);
    for (int32_t i = 0; i < C; i++)
        for (int32_t j = O; j < Op; j++) G[i * Op + j] = 0.0f;
    __m512 loss = sigmoid_grad_rows(G, ws->mask, Op, C, lr);
#define E4J_IN(r) in_grads_rows(k, ws->in_grad, G, Op, orow, O, i, r)
    for (int32_t i = 0; i < C; i += 4) E4J_BY_4(C - i, E4J_IN);
#define E4J_OUT(r) out_update_rows(k, orow, ws->mask, G, Op, ws->inp, C, j, r)
    for (int32_t j = 0; j < O; j += 4) E4J_BY_4(O - j, E4J_OUT);
    for (int32_t i = 0; i < C; i++) {
        const float *v = ws->in_grad + i * kk.Dp;
        int32_t w = ws->ctx[i];
        if (!a->sub_offsets) {
            add_row(k, a->W_in + (int64_t)w * D, v);
            continue;
        }
        for (int64_t s = a->sub_offsets[w]; s < a->sub_offsets[w + 1]; s++)
            add_row(k, a->W_in + (int64_t)a->sub_ids[s] * D, v);
    }
    return _mm512_reduce_add_ps(loss);
#undef E4J_DOTS
#undef E4J_IN
#undef E4J_OUT
}

e4j_status e4j_w2v_train_avx512(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    return e4j_w2v_train_avx2_with(a, loss_sum, pairs, rng, sg_avx512);
}
