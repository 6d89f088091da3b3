/* AVX-512 softmax cross-entropy rows and pre-checks (see xent.h for the math; xent_ref.c is the specification,
 * xent_avx2.c the AVX2 kernels). Label smoothing with K > 16 runs the AVX2 row; every other shape has a kernel here:
 *   K == 2 without label smoothing: 16 rows per zmm with opmask tails (the binary classifier head, where the per-row
 *     work is a handful of operations and halving the instruction count pays even on cores that split 512-bit
 *     operations in two); xent_avx2.c's k2_group formulas (one exp per row, no cancellation), log1p by a series
 *     two terms shorter than e4j_log1p_unit512's and s*w_t taken from two products made once.
 *   other K <= 16: xent_lanes_avx512.c, the AVX2 rows-in-lanes kernel on 16 rows per zmm.
 *   K > 16 without label smoothing: xent_row_avx2.c's one-read row (xl_row16: a running reference R instead of a
 *     max pass) on 16 columns per zmm with an opmask tail.
 * Row losses are summed in 16 double lanes from i0 (K <= 16) or in row order, so a block's partial sum does not
 * depend on the thread count. The pre-checks read 32 floats / 32 targets per step with masked tails.
 * Thread-safe for disjoint rows. */
#include "avx512_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

/* log(1 + u) for u in [0, 1], for the K == 2 kernel: 2*atanh(v), v = u/(2+u) in [0, 1/3], by its odd series to v^11
 * (the next term is < 1.2e-7 of the sum) */
static inline __m512 log1p_k2(__m512 u) {
    const __m512 v = _mm512_div_ps(u, _mm512_add_ps(_mm512_set1_ps(2.0f), u)), v2 = _mm512_mul_ps(v, v);
    __m512 p = _mm512_set1_ps(2.0f / 11.0f);
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 9.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 7.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 5.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 3.0f));
    return _mm512_fmadd_ps(_mm512_mul_ps(p, v2), v, _mm512_add_ps(v, v));
}

/* 16 rows of x (16,2), the first n valid (the rest masked off: neither read nor written) -> their losses, and dx
 * (16,2) when not NULL. tv: targets as int32 lanes, -1 for ignored and absent rows. */
static inline __m512 k2_group16(const float *x, float *dx, __m512i tv, int n, __m512 w0, __m512 w1, __m512 sw0,
                                __m512 sw1, int grad) {
    const __m512 one = _mm512_set1_ps(1.0f), sign = _mm512_set1_ps(-0.0f);
    const __mmask16 ma = e4j_lanes16(2 * n), mb = e4j_lanes16(2 * n - 16);
    const __m512 a = _mm512_maskz_loadu_ps(ma, x), b = _mm512_maskz_loadu_ps(mb, x + 16);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512 x0 = _mm512_permutex2var_ps(a, even, b), x1 = _mm512_permutex2var_ps(a, odd, b);
    const __mmask16 valid = _mm512_cmpgt_epi32_mask(tv, _mm512_set1_epi32(-1));
    const __mmask16 t1 = _mm512_cmpeq_epi32_mask(tv, _mm512_set1_epi32(1));
    const __m512 xt = _mm512_mask_blend_ps(t1, x0, x1), xo = _mm512_mask_blend_ps(t1, x1, x0);
    const __m512 d = _mm512_or_ps(sign, _mm512_sub_ps(x1, x0)); /* -|x1 - x0| */
    const __m512 e = e4j_exp512(_mm512_max_ps(d, _mm512_set1_ps(-87.33654f)));
    const __m512 wt = _mm512_maskz_mov_ps(valid, _mm512_mask_blend_ps(t1, w0, w1));
    const __m512 row = _mm512_mul_ps(wt, _mm512_add_ps(_mm512_sub_ps(_mm512_max_ps(x0, x1), xt), log1p_k2(e)));
    if (!dx) return row;
    __m512 g0 = _mm512_setzero_ps(), g1 = g0;
    if (grad) {
        const __m512 inv = _mm512_div_ps(one, _mm512_add_ps(one, e));
        const __m512 po = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xt, xo, _CMP_GE_OQ), inv, _mm512_mul_ps(e, inv));
        const __m512 swt = _mm512_maskz_mov_ps(valid, _mm512_mask_blend_ps(t1, sw0, sw1)); /* s*w_t, 0 if ignored */
        const __m512 g = _mm512_mul_ps(swt, po);
        g0 = _mm512_mask_xor_ps(g, valid & ~t1, g, sign); /* the target's gradient is negative */
        g1 = _mm512_mask_xor_ps(g, t1, g, sign);
    }
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(8));
    _mm512_mask_storeu_ps(dx, ma, _mm512_permutex2var_ps(g0, lo, g1));
    _mm512_mask_storeu_ps(dx + 16, mb, _mm512_permutex2var_ps(g0, hi, g1));
    return row;
}

static double k2_rows16(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    const __m512 w0 = _mm512_set1_ps(a->weight ? a->weight[0] : 1.0f);
    const __m512 w1 = _mm512_set1_ps(a->weight ? a->weight[1] : 1.0f);
    const __m512 s = _mm512_set1_ps((float)a->grad_scale), sw0 = _mm512_mul_ps(s, w0), sw1 = _mm512_mul_ps(s, w1);
    const __m512i ign = _mm512_set1_epi64(a->ignore_index);
    const int grad = !a->zero_grad, none = a->reduction == E4J_REDUCE_NONE;
    __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
    for (int64_t i = i0; i < i1; i += 16) {
        const int n = i1 - i < 16 ? (int)(i1 - i) : 16;
        const __m512 lv = k2_group16(a->logits + i * 2, a->dlogits ? a->dlogits + i * 2 : NULL,
                                     e4j_targets16(a->targets + i, n, ign), n, w0, w1, sw0, sw1, grad);
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

/* exp(x) for x <= 16, clamped below at ln(FLT_MIN) so that 2^n stays a normal float */
static inline __m512 exp_clamped16(__m512 x) { return e4j_exp512(_mm512_max_ps(x, _mm512_set1_ps(-87.33654f))); }

/* The gap above the running reference R at which a row kernel raises R: exp(x - R) <= e^16 keeps every float and
 * double sum far from overflow, and a row whose logits span less than 16 never rescales. */
#define XL_HEADROOM 16.0f

/* dx[0, n) *= f, 16 lanes per step with an opmask tail */
static void scale_prefix(float *dx, int64_t n, float f) {
    const __m512 fv = _mm512_set1_ps(f);
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) _mm512_storeu_ps(dx + j, _mm512_mul_ps(fv, _mm512_loadu_ps(dx + j)));
    const __mmask16 m = e4j_lanes16(n - j);
    if (m) _mm512_mask_storeu_ps(dx + j, m, _mm512_mul_ps(fv, _mm512_maskz_loadu_ps(m, dx + j)));
}

/* One row of a K > 16, eps == 0 problem in one read of the logits, 16 columns per zmm with an opmask tail:
 * e_j = exp(x_j - R) against a reference R (the first 16 columns' max), stored into dx while summing; R is raised
 * (the sum and the exps stored so far rescaled by exp(R_old - R_new)) only when a logit passes R + XL_HEADROOM, so a
 * row never needs a separate max pass. Then lse = R + log(S), dx scaled in place by s*w_t/S while the row is in
 * L1/L2, and the target column in double from S (p_t - 1 = -sum_{j!=t} e_j / S: no cancellation). The exps are
 * summed in float within each span of 256 columns (16 per lane) and the spans in double: no dependent chain through
 * a double add on every step. The same order with and without dx, so the loss does not depend on it. */
static double xl_row16(const e4j_xent_args *a, int64_t i) {
    const int64_t K = a->K;
    const float *x = a->logits + i * K;
    float *dx = a->dlogits ? a->dlogits + i * K : NULL;
    const int64_t t = a->targets[i];
    if (t == a->ignore_index) {
        if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = 0.0f;
        if (dx) memset(dx, 0, (size_t)K * sizeof(float));
        return 0.0;
    }
    const float xt = x[t];                              /* read before dx (which may alias x) is written */
    float R = _mm512_reduce_max_ps(_mm512_loadu_ps(x)); /* K > 16 */
    __m512 rv = _mm512_set1_ps(R), lim = _mm512_set1_ps(R + XL_HEADROOM);
    double S = 0.0;
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    for (int64_t j0 = 0; j0 < K; j0 += 256) {
        const int64_t j1 = j0 + 256 < K ? j0 + 256 : K;
        __m512 f = _mm512_setzero_ps();
        for (int64_t j = j0; j < j1; j += 16) {
            const int full = j + 16 <= j1;
            const __mmask16 m = e4j_lanes16(j1 - j);
            const __m512 xv = full ? _mm512_loadu_ps(x + j) : _mm512_maskz_loadu_ps(m, x + j);
            if (__builtin_expect(_mm512_mask_cmp_ps_mask(m, xv, lim, _CMP_GT_OQ) != 0, 0)) {
                /* raise R to this block's max: fold the sums so far into S, rescale them and the stored exps */
                const float Rn = _mm512_mask_reduce_max_ps(m, xv);
                const double g = exp((double)R - (double)Rn);
                double l[8];
                _mm512_storeu_pd(l, _mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_cvtps_pd(_mm512_castps512_ps256(f))));
                S += ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
                _mm512_storeu_pd(l, _mm512_cvtps_pd(_mm512_extractf32x8_ps(f, 1)));
                S = (S + (((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])))) * g;
                s0 = s1 = _mm512_setzero_pd();
                f = _mm512_setzero_ps();
                if (dx) scale_prefix(dx, j, (float)g);
                R = Rn;
                rv = _mm512_set1_ps(R);
                lim = _mm512_set1_ps(R + XL_HEADROOM);
            }
            __m512 e = exp_clamped16(_mm512_sub_ps(xv, rv));
            if (full) {
                if (dx) _mm512_storeu_ps(dx + j, e);
            } else {
                e = _mm512_maskz_mov_ps(m, e);
                if (dx) _mm512_mask_storeu_ps(dx + j, m, e);
            }
            f = _mm512_add_ps(f, e);
        }
        s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(f)));
        s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm512_extractf32x8_ps(f, 1)));
    }
    double l[8];
    _mm512_storeu_pd(l, _mm512_add_pd(s0, s1));
    const double se = S + (((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])));
    /* e_t as the sum has it (exactly so when t is the max: no rise of R comes after the max) */
    const double et = _mm512_cvtss_f32(exp_clamped16(_mm512_set1_ps(xt - R)));
    const double wt = a->weight ? (double)a->weight[t] : 1.0, L = log(se);
    const double row = wt * (((double)R - (double)xt) + L);
    if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = (float)row;
    if (!dx) return row;
    if (a->zero_grad) {
        memset(dx, 0, (size_t)K * sizeof(float));
        return row;
    }
    const double s = a->grad_scale;
    scale_prefix(dx, K, (float)(s * wt / se));
    dx[t] = (float)(-s * wt * ((se - et) / se));
    return row;
}

double e4j_xent_rows_avx512(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    if (a->K == 2 && a->eps == 0.0) return k2_rows16(a, i0, i1);
    if (a->K > 16 && a->eps == 0.0) {
        double total = 0.0;
        for (int64_t i = i0; i < i1; i++) total += xl_row16(a, i);
        return total;
    }
    if (a->K <= 16) return e4j_xent_lanes_avx512(a, i0, i1);
    return e4j_xent_rows_avx2(a, i0, i1);
}

/* 1 when all n floats are finite (x*0 == 0 exactly for finite x, NaN for NaN and +-Inf) */
int e4j_all_finite_avx512(const float *x, int64_t n) {
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 bad = 0;
    int64_t j = 0;
    for (; j + 32 <= n; j += 32)
        bad |= _mm512_cmp_ps_mask(_mm512_mul_ps(_mm512_loadu_ps(x + j), zero), zero, _CMP_NEQ_UQ) |
               _mm512_cmp_ps_mask(_mm512_mul_ps(_mm512_loadu_ps(x + j + 16), zero), zero, _CMP_NEQ_UQ);
    for (; j < n; j += 16) {
        const __mmask16 m = e4j_lanes16(n - j);
        bad |= _mm512_mask_cmp_ps_mask(m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + j), zero), zero, _CMP_NEQ_UQ);
    }
    return bad == 0;
}

/* 1 when every target is ignore_index or in [0, K); *counted = the number of non-ignored targets. 32 targets per step
 * in four independent chains: in range is one unsigned compare ((uint64)t < K, K >= 1 when B > 0), the ignored ones
 * counted in vector lanes (no mask-to-register popcount on the chain). */
static inline void targets8(__m512i v, __m512i ign, __m512i kv, __mmask8 m, __mmask8 *bad, __m512i *nign) {
    const __mmask8 is_ign = _mm512_mask_cmpeq_epi64_mask(m, v, ign);
    *bad |= m & ~(is_ign | _mm512_cmplt_epu64_mask(v, kv));
    *nign = _mm512_mask_sub_epi64(*nign, is_ign, *nign, _mm512_set1_epi64(-1));
}

int e4j_xent_targets_ok_avx512(const int64_t *t, int64_t B, int64_t K, int64_t ignore_index, int64_t *counted) {
    const __m512i ign = _mm512_set1_epi64(ignore_index), kv = _mm512_set1_epi64(K);
    __m512i n0 = _mm512_setzero_si512(), n1 = n0, n2 = n0, n3 = n0;
    __mmask8 b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    int64_t i = 0;
    for (; i + 32 <= B; i += 32) {
        targets8(_mm512_loadu_si512(t + i), ign, kv, 0xFF, &b0, &n0);
        targets8(_mm512_loadu_si512(t + i + 8), ign, kv, 0xFF, &b1, &n1);
        targets8(_mm512_loadu_si512(t + i + 16), ign, kv, 0xFF, &b2, &n2);
        targets8(_mm512_loadu_si512(t + i + 24), ign, kv, 0xFF, &b3, &n3);
    }
    for (; i < B; i += 8) {
        const __mmask8 m = (__mmask8)e4j_lanes16(B - i);
        targets8(_mm512_maskz_loadu_epi64(m, t + i), ign, kv, m, &b0, &n0);
    }
    *counted = B - _mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_add_epi64(n0, n1), _mm512_add_epi64(n2, n3)));
    return (b0 | b1 | b2 | b3) == 0;
}
