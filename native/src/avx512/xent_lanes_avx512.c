/* AVX-512 softmax cross-entropy of rows with K <= 16 classes (see xent.h for the math; xent_ref.c is the
 * specification): xent_avx2.c's rows-in-lanes kernel on 16 rows per zmm (lane r = row i+r). Each half of 8 rows is
 * loaded (and its gradient stored) with the AVX2 8x8 in-register transposes, the two halves joined into one zmm per
 * column, so one exp, one log1p and the per-column bookkeeping serve 16 rows; opmasks replace the blends. The
 * formulas are xent_avx2.c's xs_group: the loss uses log1p(sum of the non-max exps) and the target gradient the sum
 * of the non-target exps, so neither cancels for confident rows. Row losses are summed in 16 double lanes from i0,
 * then across lanes in a fixed order: a block's partial sum does not depend on the thread count.
 * Thread-safe for disjoint row ranges. */
#include "../avx2/avx2_math.h"
#include "avx512_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <string.h>

#define XS_MAX 16 /* largest K on this path */

static inline __m512 exp_neg(__m512 x) { return e4j_exp512(_mm512_max_ps(x, _mm512_set1_ps(-87.33654f))); }

/* log(x) for normal x > 0: xent_avx2.c's log_pos on 16 lanes (m in [sqrt(1/2), sqrt(2)), f = m - 1, degree-8 P) */
static inline __m512 log_pos(__m512 x) {
    const __m512i xi = _mm512_castps_si512(x);
    const __m512i ei = _mm512_sub_epi32(_mm512_srli_epi32(xi, 23), _mm512_set1_epi32(126));
    const __m512 m = _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_and_si512(xi, _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x3f000000)));
    const __mmask16 small = _mm512_cmp_ps_mask(m, _mm512_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    const __m512 e = _mm512_mask_sub_ps(_mm512_cvtepi32_ps(ei), small, _mm512_cvtepi32_ps(ei), _mm512_set1_ps(1.0f));
    __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
    f = _mm512_mask_add_ps(f, small, f, m);
    const __m512 z = _mm512_mul_ps(f, f);
    __m512 p = _mm512_set1_ps(7.0376836292e-2f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.1514610310e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.1676998740e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.2420140846e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.4249322787e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.6668057665e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.0000714765e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-2.4999993993e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(3.3333331174e-1f));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, f), z);
    y = _mm512_fmadd_ps(e, _mm512_set1_ps(-2.12194440e-4f), y);
    y = _mm512_fnmadd_ps(z, _mm512_set1_ps(0.5f), y);
    return _mm512_fmadd_ps(e, _mm512_set1_ps(0.693359375f), _mm512_add_ps(f, y));
}

/* log(1 + u) for u >= 0 keeping u's digits when u is tiny: log(w) * u / (w - 1), w = 1 + u; u where w rounds to 1 */
static inline __m512 log1p_pos(__m512 u) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 w = _mm512_add_ps(one, u), wm1 = _mm512_sub_ps(w, one);
    const __mmask16 is1 = _mm512_cmp_ps_mask(wm1, _mm512_setzero_ps(), _CMP_EQ_OQ);
    const __m512 r = _mm512_mul_ps(log_pos(w), _mm512_div_ps(u, _mm512_mask_mov_ps(wm1, is1, one)));
    return _mm512_mask_mov_ps(r, is1, u);
}

/* 8 rows x (8,K) -> c[j] = column j of the 8 rows (lane r = row r); loads that would pass the 8K floats are masked */
static inline __attribute__((always_inline)) void load_columns8(const float *x, __m256 c[XS_MAX], const int64_t K) {
    for (int64_t b = 0; b < (K + 7) / 8; b++) {
        __m256 r[8];
        for (int64_t row = 0; row < 8; row++) {
            const float *p = x + row * K + 8 * b;
            r[row] =
                row * K + 8 * b + 8 > 8 * K ? _mm256_maskload_ps(p, e4j_first_lanes(K - 8 * b)) : _mm256_loadu_ps(p);
        }
        e4j_transpose8(r);
        for (int64_t j = 8 * b; j < K && j < 8 * b + 8; j++) c[j] = r[j - 8 * b];
    }
}

/* the inverse: columns g[j] of 8 rows -> dx (8,K), row by row in increasing order (lanes past column K spill into
 * the next row, which is stored after and overwrites them); stores that would leave the 8 rows are masked */
static inline __attribute__((always_inline)) void store_columns8(float *dx, const __m256 g[XS_MAX], const int64_t K) {
    __m256 r[(XS_MAX + 7) / 8][8];
    for (int64_t b = 0; b < (K + 7) / 8; b++) {
        for (int64_t j = 0; j < 8; j++) r[b][j] = 8 * b + j < K ? g[8 * b + j] : _mm256_setzero_ps();
        e4j_transpose8(r[b]);
    }
    for (int64_t row = 0; row < 8; row++)
        for (int64_t b = 0; b < (K + 7) / 8; b++) {
            float *p = dx + row * K + 8 * b;
            if (row * K + 8 * b + 8 > 8 * K)
                _mm256_maskstore_ps(p, e4j_first_lanes(K - 8 * b), r[b][row]);
            else
                _mm256_storeu_ps(p, r[b][row]);
        }
}

typedef struct xs_consts {
    int eps_on, grad;
    __m512 omeps, ek, W, s, sek; /* 1-eps, eps/K, sum w, grad scale, s*eps/K */
} xs_consts;

/* Rows x (16,K) contiguous, targets tv (-1: ignored) -> the 16 row losses (0 for ignored rows), and dx (16,K) when
 * not NULL. Inlined with a constant K, so the column loops unroll. */
static inline __attribute__((always_inline)) __m512 xs_group16(const xs_consts *c, const float *weight, const float *x,
                                                               float *dx, __m512i tv, const int64_t K) {
    __m512 xv[XS_MAX], ev[XS_MAX];
    {
        __m256 lo[XS_MAX], hi[XS_MAX];
        lo[0] = hi[0] = _mm256_setzero_ps(); /* K >= 1 always; keeps the uninitialised-use check quiet */
        load_columns8(x, lo, K);
        load_columns8(x + 8 * K, hi, K);
        for (int64_t j = 0; j < K; j++) xv[j] = _mm512_insertf32x8(_mm512_castps256_ps512(lo[j]), hi[j], 1);
    }
    const __m512 zero = _mm512_setzero_ps();
    const __mmask16 valid = _mm512_cmpgt_epi32_mask(tv, _mm512_set1_epi32(-1));
    __m512 m = xv[0];
    for (int64_t j = 1; j < K; j++) m = _mm512_max_ps(m, xv[j]);
    __m512 u = zero, sot = zero, xt = zero, et = zero, swd = zero;
    __mmask16 found = 0;
    for (int64_t j = 0; j < K; j++) {
        const __m512 d = _mm512_sub_ps(xv[j], m);
        const __m512 e = exp_neg(d);
        ev[j] = e;
        const __mmask16 is_t = _mm512_cmpeq_epi32_mask(tv, _mm512_set1_epi32((int)j));
        xt = _mm512_mask_mov_ps(xt, is_t, xv[j]);
        et = _mm512_mask_mov_ps(et, is_t, e);
        sot = _mm512_mask_add_ps(sot, (__mmask16)~is_t, sot, e);
        /* the first maximum contributes exactly 1: leave it out of u, so sum e = 1 + u */
        const __mmask16 is_m = _mm512_cmp_ps_mask(d, zero, _CMP_EQ_OQ) & (__mmask16)~found;
        found |= is_m;
        u = _mm512_mask_add_ps(u, (__mmask16)~is_m, u, e);
        if (c->eps_on) swd = _mm512_fnmadd_ps(_mm512_set1_ps(weight ? weight[j] : 1.0f), d, swd);
    }
    const __m512 wt = weight ? _mm512_mask_i32gather_ps(zero, valid, tv, weight, 4)
                             : _mm512_maskz_mov_ps(valid, _mm512_set1_ps(1.0f));
    const __m512 L = K == 2 ? e4j_log1p_unit512(u) : log1p_pos(u);
    __m512 row = _mm512_mul_ps(_mm512_mul_ps(c->omeps, wt), _mm512_add_ps(_mm512_sub_ps(m, xt), L));
    if (c->eps_on) row = _mm512_fmadd_ps(c->ek, _mm512_fmadd_ps(c->W, L, swd), row);
    row = _mm512_maskz_mov_ps(valid, row);
    if (!dx) return row;
    __m256 lo[XS_MAX], hi[XS_MAX];
    if (!c->grad) {
        for (int64_t j = 0; j < K; j++) lo[j] = hi[j] = _mm256_setzero_ps();
    } else {
        const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), u));
        const __m512 owt = _mm512_mul_ps(c->omeps, wt);
        const __m512 A = _mm512_mul_ps(_mm512_mul_ps(c->s, _mm512_fmadd_ps(c->ek, c->W, owt)), inv);
        /* target: s*[-(1-eps)*w_t*sot/se + (eps/K)*(p_t*W - w_t)] */
        __m512 gt = _mm512_mul_ps(_mm512_mul_ps(c->s, owt), _mm512_mul_ps(sot, inv));
        gt = _mm512_sub_ps(_mm512_mul_ps(c->sek, _mm512_fmsub_ps(_mm512_mul_ps(et, inv), c->W, wt)), gt);
        for (int64_t j = 0; j < K; j++) {
            __m512 gj = _mm512_mul_ps(A, ev[j]);
            if (c->eps_on) gj = _mm512_fnmadd_ps(c->sek, _mm512_set1_ps(weight ? weight[j] : 1.0f), gj);
            const __mmask16 is_t = _mm512_cmpeq_epi32_mask(tv, _mm512_set1_epi32((int)j));
            const __m512 g = _mm512_maskz_mov_ps(valid, _mm512_mask_mov_ps(gj, is_t, gt));
            lo[j] = _mm512_castps512_ps256(g);
            hi[j] = _mm512_extractf32x8_ps(g, 1);
        }
    }
    store_columns8(dx, lo, K);
    store_columns8(dx + 8 * K, hi, K);
    return row;
}

/* Rows [i0, i1) in groups of 16 from i0 (the last one padded with ignored rows); losses summed in 16 double lanes */
static inline __attribute__((always_inline)) double xs_rows16_k(const e4j_xent_args *a, int64_t i0, int64_t i1,
                                                                const int64_t K) {
    xs_consts c = {.eps_on = a->eps != 0.0, .grad = !a->zero_grad};
    c.omeps = _mm512_set1_ps((float)(1.0 - a->eps));
    c.ek = _mm512_set1_ps((float)(a->eps / (double)K));
    c.W = _mm512_set1_ps((float)a->weight_sum);
    c.s = _mm512_set1_ps((float)a->grad_scale);
    c.sek = _mm512_set1_ps((float)(a->grad_scale * a->eps / (double)K));
    const __m512i ign = _mm512_set1_epi64(a->ignore_index);
    const int none = a->reduction == E4J_REDUCE_NONE;
    __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
    for (int64_t i = i0; i < i1; i += 16) {
        const int n = i1 - i < 16 ? (int)(i1 - i) : 16;
        float *dx = a->dlogits ? a->dlogits + i * K : NULL;
        const __m512i tv = e4j_targets16(a->targets + i, n, ign);
        __m512 lv;
        if (n == 16) {
            lv = xs_group16(&c, a->weight, a->logits + i * K, dx, tv, K);
        } else {
            float xb[XS_MAX * 16] = {0}, db[XS_MAX * 16];
            memcpy(xb, a->logits + i * K, (size_t)(n * K) * sizeof(float));
            lv = xs_group16(&c, a->weight, xb, dx ? db : NULL, tv, K);
            if (dx) memcpy(dx, db, (size_t)(n * K) * sizeof(float));
        }
        if (none) _mm512_mask_storeu_ps(a->loss + i, e4j_lanes16(n), lv);
        acc0 = _mm512_add_pd(acc0, _mm512_cvtps_pd(_mm512_castps512_ps256(lv)));
        acc1 = _mm512_add_pd(acc1, _mm512_cvtps_pd(_mm512_extractf32x8_ps(lv, 1)));
    }
    double l[16];
    _mm512_storeu_pd(l, acc0);
    _mm512_storeu_pd(l + 8, acc1);
    double total = 0.0;
    for (int q = 0; q < 16; q += 4) total += (l[q] + l[q + 1]) + (l[q + 2] + l[q + 3]);
    return total;
}

/* one instance per class count: the column loops unroll and the columns stay in registers */
#define XS_INSTANCE(k) \
    static double xs16_##k(const e4j_xent_args *a, int64_t i0, int64_t i1) { return xs_rows16_k(a, i0, i1, k); }
XS_INSTANCE(1)
XS_INSTANCE(2)
XS_INSTANCE(3)
XS_INSTANCE(4)
XS_INSTANCE(5)
XS_INSTANCE(6)
XS_INSTANCE(7)
XS_INSTANCE(8)
XS_INSTANCE(9)
XS_INSTANCE(10)
XS_INSTANCE(11)
XS_INSTANCE(12)
XS_INSTANCE(13)
XS_INSTANCE(14)
XS_INSTANCE(15)
XS_INSTANCE(16)
typedef double (*xs_fn)(const e4j_xent_args *a, int64_t i0, int64_t i1);
static const xs_fn xs16_by_k[XS_MAX + 1] = {NULL,    xs16_1,  xs16_2,  xs16_3,  xs16_4,  xs16_5,
                                            xs16_6,  xs16_7,  xs16_8,  xs16_9,  xs16_10, xs16_11,
                                            xs16_12, xs16_13, xs16_14, xs16_15, xs16_16};

double e4j_xent_lanes_avx512(const e4j_xent_args *a, int64_t i0, int64_t i1) { return xs16_by_k[a->K](a, i0, i1); }
