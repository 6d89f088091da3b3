/* AVX2+FMA softmax cross-entropy rows (see xent.h for the math; xent_ref.c is the specification).
 * Float math with polynomial exp and log (Cephes-style range reduction: exp ~2 ulp on [-87.3, 0],
 * below that clamped to ~1e-38 where the true value is < 1e-38; log ~1 ulp on normal floats); the
 * row losses are summed in double. Three layouts:
 *   K == 2 without label smoothing: 8 rows per ymm, one exp per row (k2_group: the classifier head of the
 *     binary tasks, where the general rows-in-lanes code spent most of its time on the second, trivial exp).
 *   K <= XS_MAX: 8 rows per ymm (lane r = row i+r), the K columns by 8x8 in-register transposes
 *     (K == 2: two loads and a shuffle; gathers are slow on AMD), so one exp serves 8 rows; the loss uses log1p(sum of the non-max exps) so a confident
 *     row's small loss keeps its digits, and the target gradient uses the sum of the non-target exps,
 *     (p_t - 1) = -sum_{j!=t} e_j / sum_j e_j, so it never cancels.
 *   K >  XS_MAX: one row at a time, 8 columns per ymm, in xent_row_avx2.c (one read of the logits without
 *     label smoothing, a max pass first with it).
 * Rounds differently from the reference (abs+rel tolerance in the tests) but is deterministic: every
 * value depends only on its row, and the loss partial sums are added in row order.
 * Thread-safe for disjoint row ranges. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define XS_MAX 16 /* largest K on the rows-in-lanes path */

/* exp(x) for x <= 0 (inputs are x - max; exp(0) == 1 exactly): the shared Cephes-style exp (avx2_math.h),
 * clamped below at ln(FLT_MIN) so that 2^n stays a normal float. */
static inline __m256 exp_neg(__m256 x) { return e4j_exp256(_mm256_max_ps(x, _mm256_set1_ps(-87.33654f))); }

/* log(x) for normal x > 0: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) = f - f^2/2 + f^3*P(f)
 * with f = m - 1 (degree-8 P), plus e*ln2 in two parts. */
static inline __m256 log_pos(__m256 x) {
    __m256i xi = _mm256_castps_si256(x);
    __m256i ei = _mm256_sub_epi32(_mm256_srli_epi32(xi, 23), _mm256_set1_epi32(126));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(xi, _mm256_set1_epi32(0x007fffff)),
                                                   _mm256_set1_epi32(0x3f000000))); /* [0.5, 1) */
    __m256 e = _mm256_cvtepi32_ps(ei);
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    e = _mm256_sub_ps(e, _mm256_and_ps(small, _mm256_set1_ps(1.0f)));
    __m256 f = _mm256_add_ps(_mm256_sub_ps(m, _mm256_set1_ps(1.0f)), _mm256_and_ps(small, m));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 p = _mm256_set1_ps(7.0376836292e-2f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.1514610310e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.1676998740e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.2420140846e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.4249322787e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.6668057665e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.0000714765e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-2.4999993993e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(3.3333331174e-1f));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), _mm256_add_ps(f, y));
}

/* log(1 + u) for u >= 0 without losing u's digits when u is tiny: log(w) * u / (w - 1), w = 1 + u
 * (the rounding of w cancels in the ratio); u itself where w rounds to 1. */
static inline __m256 log1p_pos(__m256 u) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 w = _mm256_add_ps(one, u);
    __m256 wm1 = _mm256_sub_ps(w, one);
    __m256 is1 = _mm256_cmp_ps(wm1, _mm256_setzero_ps(), _CMP_EQ_OQ);
    __m256 r = _mm256_mul_ps(log_pos(w), _mm256_div_ps(u, _mm256_blendv_ps(wm1, one, is1)));
    return _mm256_blendv_ps(r, u, is1);
}

/* log(1 + u) for u in [0, 1] (K == 2, where u is the smaller class's exp): 2*atanh(v), v = u/(2+u) in
 * [0, 1/3], by its odd series to v^15 (the next term is < 2^-26 of the sum): one division, no log. */
static inline __m256 log1p_unit(__m256 u) {
    __m256 v = _mm256_div_ps(u, _mm256_add_ps(_mm256_set1_ps(2.0f), u));
    __m256 v2 = _mm256_mul_ps(v, v);
    __m256 p = _mm256_set1_ps(2.0f / 15.0f);
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 13.0f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 11.0f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 9.0f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 7.0f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 5.0f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(2.0f / 3.0f));
    p = _mm256_mul_ps(p, v2);
    return _mm256_fmadd_ps(p, v, _mm256_add_ps(v, v)); /* 2v + v*(2v^2/3 + ...) */
}

/* ---------------------------------------------------------------- K <= XS_MAX: 8 rows per ymm */

typedef struct xs_consts {
    int eps_on, grad;
    __m256 omeps, ek, W, s, sek; /* 1-eps, eps/K, sum w, grad scale, s*eps/K */
} xs_consts;

/* Rows x (8,K) contiguous, targets tv (-1: ignored) -> the 8 row losses (0 for ignored rows), and dx (8,K)
 * when not NULL. Inlined with a constant K for the common class counts, so the column loops unroll. */
static inline __attribute__((always_inline)) __m256 xs_group(const xs_consts *c, const float *weight, const float *x,
                                                             float *dx, __m256i tv, const int64_t K) {
    __m256 xv[XS_MAX], ev[XS_MAX];
    xv[0] = _mm256_setzero_ps(); /* K >= 1 always; keeps the compiler's uninitialised-use check quiet */
    if (K == 2) {
        __m256 a = _mm256_loadu_ps(x), b = _mm256_loadu_ps(x + 8);
        /* lane l of the shuffles: rows 0 1 4 5 | 2 3 6 7; the 64-bit permute restores row order */
        __m256 c0 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
               c1 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        xv[0] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(c0), _MM_SHUFFLE(3, 1, 2, 0)));
        xv[1] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(c1), _MM_SHUFFLE(3, 1, 2, 0)));
    } else {
        /* 8 loads of 8 columns (lanes past column K hold the next row: unused) and an 8x8 transpose per
         * block of 8 columns; loads that would reach past the group's 8K floats are masked */
        for (int64_t b = 0; b < (K + 7) / 8; b++) {
            __m256 r[8];
            for (int64_t row = 0; row < 8; row++) {
                const float *p = x + row * K + 8 * b;
                r[row] = row * K + 8 * b + 8 > 8 * K ? _mm256_maskload_ps(p, e4j_first_lanes(K - 8 * b))
                                                     : _mm256_loadu_ps(p);
            }
            e4j_transpose8(r);
            for (int64_t j = 8 * b; j < K && j < 8 * b + 8; j++) xv[j] = r[j - 8 * b];
        }
    }
    const __m256 zero = _mm256_setzero_ps();
    const __m256 valid = _mm256_castsi256_ps(_mm256_cmpgt_epi32(tv, _mm256_set1_epi32(-1)));
    __m256 m = xv[0];
    for (int64_t j = 1; j < K; j++) m = _mm256_max_ps(m, xv[j]);
    __m256 u = zero, sot = zero, xt = zero, et = zero, swd = zero, found = zero;
    for (int64_t j = 0; j < K; j++) {
        __m256 d = _mm256_sub_ps(xv[j], m);
        __m256 e = exp_neg(d);
        ev[j] = e;
        __m256 is_t = _mm256_castsi256_ps(_mm256_cmpeq_epi32(tv, _mm256_set1_epi32((int)j)));
        xt = _mm256_blendv_ps(xt, xv[j], is_t);
        et = _mm256_blendv_ps(et, e, is_t);
        sot = _mm256_add_ps(sot, _mm256_andnot_ps(is_t, e));
        /* the first maximum contributes exactly 1: leave it out of u, so sum e = 1 + u */
        __m256 is_m = _mm256_andnot_ps(found, _mm256_cmp_ps(d, zero, _CMP_EQ_OQ));
        found = _mm256_or_ps(found, is_m);
        u = _mm256_add_ps(u, _mm256_andnot_ps(is_m, e));
        if (c->eps_on) {
            __m256 wj = weight ? _mm256_set1_ps(weight[j]) : _mm256_set1_ps(1.0f);
            swd = _mm256_fnmadd_ps(wj, d, swd); /* + w_j * (max - x_j), all terms >= 0 */
        }
    }
    __m256 wt;
    if (weight) {
        __m256i tsafe = _mm256_and_si256(tv, _mm256_castps_si256(valid));
        wt = _mm256_mask_i32gather_ps(zero, weight, tsafe, valid, 4);
    } else {
        wt = _mm256_and_ps(valid, _mm256_set1_ps(1.0f));
    }
    __m256 L = K == 2 ? log1p_unit(u) : log1p_pos(u);
    __m256 row = _mm256_mul_ps(_mm256_mul_ps(c->omeps, wt), _mm256_add_ps(_mm256_sub_ps(m, xt), L));
    if (c->eps_on) row = _mm256_fmadd_ps(c->ek, _mm256_fmadd_ps(c->W, L, swd), row);
    row = _mm256_and_ps(valid, row);
    if (!dx) return row;
    __m256 g[XS_MAX];
    if (!c->grad) {
        for (int64_t j = 0; j < K; j++) g[j] = zero;
    } else {
        __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), u));
        __m256 owt = _mm256_mul_ps(c->omeps, wt);
        __m256 A = _mm256_mul_ps(_mm256_mul_ps(c->s, _mm256_fmadd_ps(c->ek, c->W, owt)), inv);
        /* target: s*[-(1-eps)*w_t*sot/se + (eps/K)*(p_t*W - w_t)] */
        __m256 gt = _mm256_mul_ps(_mm256_mul_ps(c->s, owt), _mm256_mul_ps(sot, inv));
        gt = _mm256_sub_ps(_mm256_mul_ps(c->sek, _mm256_fmsub_ps(_mm256_mul_ps(et, inv), c->W, wt)), gt);
        for (int64_t j = 0; j < K; j++) {
            __m256 gj = _mm256_mul_ps(A, ev[j]);
            if (c->eps_on) gj = _mm256_fnmadd_ps(c->sek, weight ? _mm256_set1_ps(weight[j]) : _mm256_set1_ps(1.0f), gj);
            __m256 is_t = _mm256_castsi256_ps(_mm256_cmpeq_epi32(tv, _mm256_set1_epi32((int)j)));
            g[j] = _mm256_and_ps(valid, _mm256_blendv_ps(gj, gt, is_t));
        }
    }
    if (K == 2) {
        __m256 lo = _mm256_unpacklo_ps(g[0], g[1]), hi = _mm256_unpackhi_ps(g[0], g[1]); /* rows 0 1 | 4 5, 2 3 | 6 7 */
        _mm256_storeu_ps(dx, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(dx + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    } else {
        /* transpose back and store row by row in increasing order: lanes past column K spill into the next
         * row, which is stored after and overwrites them; stores that would leave the group are masked */
        __m256 r[(XS_MAX + 7) / 8][8];
        for (int64_t b = 0; b < (K + 7) / 8; b++) {
            for (int64_t j = 0; j < 8; j++) r[b][j] = 8 * b + j < K ? g[8 * b + j] : zero;
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
    return row;
}

/* Rows [i0, i1) in groups of 8 from i0; the row losses are summed in 8 double lanes (fixed by i0, so
 * the partial sum of a block does not depend on the thread count), then across lanes. */
static inline __attribute__((always_inline)) double xs_rows_k(const e4j_xent_args *a, int64_t i0, int64_t i1,
                                                              const int64_t K) {
    xs_consts c = {.eps_on = a->eps != 0.0, .grad = !a->zero_grad};
    c.omeps = _mm256_set1_ps((float)(1.0 - a->eps));
    c.ek = _mm256_set1_ps((float)(a->eps / (double)K));
    c.W = _mm256_set1_ps((float)a->weight_sum);
    c.s = _mm256_set1_ps((float)a->grad_scale);
    c.sek = _mm256_set1_ps((float)(a->grad_scale * a->eps / (double)K));
    const __m256i ign = _mm256_set1_epi64x(a->ignore_index), low32 = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const int none = a->reduction == E4J_REDUCE_NONE;
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    for (int64_t i = i0; i < i1; i += 8) {
        const int n = i1 - i < 8 ? (int)(i1 - i) : 8;
        float *dx = a->dlogits ? a->dlogits + i * K : NULL;
        __m256 lv;
        if (n == 8) {
            /* targets (validated: in [0, K) or ignore_index) -> int32 lanes, ignored -> -1 */
            __m256i t0 = _mm256_loadu_si256((const __m256i *)(a->targets + i));
            __m256i t1 = _mm256_loadu_si256((const __m256i *)(a->targets + i + 4));
            t0 = _mm256_permutevar8x32_epi32(_mm256_or_si256(t0, _mm256_cmpeq_epi64(t0, ign)), low32);
            t1 = _mm256_permutevar8x32_epi32(_mm256_or_si256(t1, _mm256_cmpeq_epi64(t1, ign)), low32);
            lv = xs_group(&c, a->weight, a->logits + i * K, dx, _mm256_permute2x128_si256(t0, t1, 0x20), K);
            if (none) _mm256_storeu_ps(a->loss + i, lv);
        } else { /* the last rows of the range, padded with ignored rows */
            int32_t t32[8];
            for (int r = 0; r < 8; r++)
                t32[r] = r < n && a->targets[i + r] != a->ignore_index ? (int32_t)a->targets[i + r] : -1;
            float xb[XS_MAX * 8] = {0}, db[XS_MAX * 8], lb[8];
            memcpy(xb, a->logits + i * K, (size_t)(n * K) * sizeof(float));
            lv = xs_group(&c, a->weight, xb, dx ? db : NULL, _mm256_loadu_si256((const __m256i *)t32), K);
            if (dx) memcpy(dx, db, (size_t)(n * K) * sizeof(float));
            _mm256_storeu_ps(lb, lv);
            if (none)
                for (int r = 0; r < n; r++) a->loss[i + r] = lb[r];
        }
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(lv)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(lv, 1)));
    }
    double l[8];
    _mm256_storeu_pd(l, acc0);
    _mm256_storeu_pd(l + 4, acc1);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

/* one instance per class count: the column loops unroll and the columns stay in registers */
#define XS_INSTANCE(k) \
    static double xs_rows_##k(const e4j_xent_args *a, int64_t i0, int64_t i1) { return xs_rows_k(a, i0, i1, k); }
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
static const xs_fn xs_by_k[XS_MAX + 1] = {NULL,       xs_rows_1,  xs_rows_2,  xs_rows_3,  xs_rows_4,  xs_rows_5,
                                          xs_rows_6,  xs_rows_7,  xs_rows_8,  xs_rows_9,  xs_rows_10, xs_rows_11,
                                          xs_rows_12, xs_rows_13, xs_rows_14, xs_rows_15, xs_rows_16};

/* ---------------------------------------------------------------- K == 2 without label smoothing */

/* Rows x (8,2) -> the 8 row losses, and dx (8,2) when not NULL. With e = exp(-|x1 - x0|) (one exp per row), the
 * larger logit's probability is 1/(1+e), the other's e/(1+e); loss = w_t*((max - x_t) + log1p(e)), where max - x_t
 * is 0 or |x1 - x0|; dx_t = -s*w_t*p_o and dx_o = +s*w_t*p_o for the other class o (p_t - 1 = -p_o: nothing
 * cancels, and a confident row's tiny loss and gradient keep their digits). Ignored rows (tv = -1): 0. */
static inline __m256 k2_group(const float *x, float *dx, __m256i tv, __m256 w0, __m256 w1, __m256 s, int grad) {
    const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_loadu_ps(x), b = _mm256_loadu_ps(x + 8);
    /* lane l of the shuffles: rows 0 1 4 5 | 2 3 6 7; the 64-bit permute restores row order */
    __m256 c0 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), c1 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    const __m256 x0 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(c0), _MM_SHUFFLE(3, 1, 2, 0)));
    const __m256 x1 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(c1), _MM_SHUFFLE(3, 1, 2, 0)));
    const __m256 valid = _mm256_castsi256_ps(_mm256_cmpgt_epi32(tv, _mm256_set1_epi32(-1)));
    const __m256 t1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(tv, _mm256_set1_epi32(1)));
    const __m256 xt = _mm256_blendv_ps(x0, x1, t1), xo = _mm256_blendv_ps(x1, x0, t1);
    const __m256 e = exp_neg(_mm256_or_ps(sign, _mm256_sub_ps(x1, x0))); /* exp(-|x1 - x0|) */
    const __m256 wt = _mm256_and_ps(valid, _mm256_blendv_ps(w0, w1, t1));
    const __m256 row = _mm256_mul_ps(wt, _mm256_add_ps(_mm256_sub_ps(_mm256_max_ps(x0, x1), xt), log1p_unit(e)));
    if (!dx) return row;
    __m256 g0 = _mm256_setzero_ps(), g1 = g0;
    if (grad) {
        const __m256 inv = _mm256_div_ps(one, _mm256_add_ps(one, e));
        const __m256 po = _mm256_blendv_ps(inv, _mm256_mul_ps(e, inv), _mm256_cmp_ps(xt, xo, _CMP_GE_OQ));
        const __m256 g = _mm256_mul_ps(_mm256_mul_ps(s, wt), po); /* 0 on ignored rows (wt = 0) */
        const __m256 neg = _mm256_and_ps(valid, sign);            /* the target's sign; +0 stays +0 when ignored */
        g0 = _mm256_xor_ps(g, _mm256_andnot_ps(t1, neg));
        g1 = _mm256_xor_ps(g, _mm256_and_ps(t1, neg));
    }
    __m256 lo = _mm256_unpacklo_ps(g0, g1), hi = _mm256_unpackhi_ps(g0, g1); /* rows 0 1 | 4 5, 2 3 | 6 7 */
    _mm256_storeu_ps(dx, _mm256_permute2f128_ps(lo, hi, 0x20));
    _mm256_storeu_ps(dx + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    return row;
}

/* Rows [i0, i1) of a K == 2, eps == 0 problem, in groups of 8 from i0; losses summed as in xs_rows_k. */
static double k2_rows(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    const __m256 w0 = _mm256_set1_ps(a->weight ? a->weight[0] : 1.0f),
                 w1 = _mm256_set1_ps(a->weight ? a->weight[1] : 1.0f);
    const __m256 s = _mm256_set1_ps((float)a->grad_scale);
    const int grad = !a->zero_grad, none = a->reduction == E4J_REDUCE_NONE;
    const __m256i ign = _mm256_set1_epi64x(a->ignore_index), low32 = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    for (int64_t i = i0; i < i1; i += 8) {
        const int n = i1 - i < 8 ? (int)(i1 - i) : 8;
        float *dx = a->dlogits ? a->dlogits + i * 2 : NULL;
        __m256 lv;
        if (n == 8) {
            __m256i t0 = _mm256_loadu_si256((const __m256i *)(a->targets + i));
            __m256i t1 = _mm256_loadu_si256((const __m256i *)(a->targets + i + 4));
            t0 = _mm256_permutevar8x32_epi32(_mm256_or_si256(t0, _mm256_cmpeq_epi64(t0, ign)), low32);
            t1 = _mm256_permutevar8x32_epi32(_mm256_or_si256(t1, _mm256_cmpeq_epi64(t1, ign)), low32);
            lv = k2_group(a->logits + i * 2, dx, _mm256_permute2x128_si256(t0, t1, 0x20), w0, w1, s, grad);
            if (none) _mm256_storeu_ps(a->loss + i, lv);
        } else { /* the last rows of the range, padded with ignored rows */
            int32_t t32[8];
            for (int r = 0; r < 8; r++)
                t32[r] = r < n && a->targets[i + r] != a->ignore_index ? (int32_t)a->targets[i + r] : -1;
            float xb[16] = {0}, db[16], lb[8];
            memcpy(xb, a->logits + i * 2, (size_t)(n * 2) * sizeof(float));
            lv = k2_group(xb, dx ? db : NULL, _mm256_loadu_si256((const __m256i *)t32), w0, w1, s, grad);
            if (dx) memcpy(dx, db, (size_t)(n * 2) * sizeof(float));
            _mm256_storeu_ps(lb, lv);
            if (none)
                for (int r = 0; r < n; r++) a->loss[i + r] = lb[r];
        }
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(lv)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(lv, 1)));
    }
    double l[8];
    _mm256_storeu_pd(l, acc0);
    _mm256_storeu_pd(l + 4, acc1);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

double e4j_xent_rows_avx2(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    if (a->K == 2 && a->eps == 0.0) return k2_rows(a, i0, i1);
    if (a->K <= XS_MAX) return xs_by_k[a->K](a, i0, i1);
    return e4j_xent_long_rows_avx2(a, i0, i1);
}

/* 1 when all n floats are finite (x*0 == 0 exactly for finite x, NaN for NaN and +-Inf) */
int e4j_all_finite_avx2(const float *x, int64_t n) {
    const __m256 zero = _mm256_setzero_ps();
    __m256 bad0 = zero, bad1 = zero;
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
        bad0 = _mm256_or_ps(bad0, _mm256_cmp_ps(_mm256_mul_ps(_mm256_loadu_ps(x + j), zero), zero, _CMP_NEQ_UQ));
        bad1 = _mm256_or_ps(bad1, _mm256_cmp_ps(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), zero), zero, _CMP_NEQ_UQ));
    }
    int bad = _mm256_movemask_ps(_mm256_or_ps(bad0, bad1));
    for (; j < n; j++) bad |= !(x[j] * 0.0f == 0.0f);
    return !bad;
}

/* 1 when every target is ignore_index or in [0, K); *counted = the number of non-ignored targets */
int e4j_xent_targets_ok_avx2(const int64_t *t, int64_t B, int64_t K, int64_t ignore_index, int64_t *counted) {
    const __m256i ign = _mm256_set1_epi64x(ignore_index), kv = _mm256_set1_epi64x(K), m1 = _mm256_set1_epi64x(-1);
    __m256i bad = _mm256_setzero_si256(), nign = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 4 <= B; i += 4) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(t + i));
        __m256i is_ign = _mm256_cmpeq_epi64(v, ign);
        __m256i in_range = _mm256_and_si256(_mm256_cmpgt_epi64(v, m1), _mm256_cmpgt_epi64(kv, v));
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(_mm256_or_si256(is_ign, in_range), m1));
        nign = _mm256_sub_epi64(nign, is_ign); /* counts ignored rows (lanes are 0 or -1) */
    }
    int64_t l[4], ignored, ok = _mm256_testz_si256(bad, bad);
    _mm256_storeu_si256((__m256i *)l, nign);
    ignored = l[0] + l[1] + l[2] + l[3];
    for (; i < B; i++) {
        if (t[i] == ignore_index)
            ignored++;
        else if (t[i] < 0 || t[i] >= K)
            ok = 0;
    }
    *counted = B - ignored;
    return (int)ok;
}
