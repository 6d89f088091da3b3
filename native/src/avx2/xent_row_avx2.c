/* AVX2+FMA softmax cross-entropy of rows with K > 16 classes, one row at a time, 8 columns per ymm (see xent.h for
 * the math; xent_ref.c is the specification, xent_avx2.c the rows-in-lanes kernels for K <= 16 and the dispatch).
 *   eps == 0: one read of the logits (xl_row_one_read): e_j = exp(x_j - R) against a running reference R, stored
 *     into dx while summing; R rises (the sum and the stored exps rescaled) only when a logit passes R + 16, so no
 *     separate max pass; then dx scaled in place while the row is in L1/L2.
 *   eps != 0: max first, then the same (xl_row_two_pass), with sum w_j*(max - x_j) for the smoothing term.
 * Exp of avx2_math.h (~2 ulp); logs and the target column in double. Deterministic: every value depends only on its
 * row, the sums are added in a fixed order, the same with and without dx. Thread-safe for disjoint row ranges. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

/* exp(x) for x <= 16, clamped below at ln(FLT_MIN) so that 2^n stays a normal float */
static inline __m256 exp_clamped(__m256 x) { return e4j_exp256(_mm256_max_ps(x, _mm256_set1_ps(-87.33654f))); }

static inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline double hsum_pd(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static inline __m256d add_ps_to_pd(__m256d acc, __m128 v) { return _mm256_add_pd(acc, _mm256_cvtps_pd(v)); }

/* One row, any eps (the rows with label smoothing run it): max; e_j = exp(x_j - max) stored into dx while summing
 * e and sum w_j*(max - x_j) in double; dx scaled in place (the row is in L1/L2); the target column and the row loss
 * in double from the sum. */
static double xl_row_two_pass(const e4j_xent_args *a, int64_t i) {
    const int64_t K = a->K;
    const float *x = a->logits + i * K, *w = a->weight;
    float *dx = a->dlogits ? a->dlogits + i * K : NULL;
    const int64_t t = a->targets[i];
    const int64_t kt = K & ~(int64_t)7;
    if (t == a->ignore_index) {
        if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = 0.0f;
        if (dx) memset(dx, 0, (size_t)K * sizeof(float));
        return 0.0;
    }
    const __m256i tm = e4j_first_lanes(K - kt);
    /* max: four chains, the tail's missing lanes filled with x[0] (a real element, so harmless) */
    __m256 m0 = _mm256_set1_ps(x[0]), m1 = m0, m2 = m0, m3 = m0;
    int64_t j = 0;
    for (; j + 32 <= K; j += 32) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + j));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + j + 8));
        m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + j + 16));
        m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + j + 24));
    }
    for (; j < kt; j += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + j));
    if (kt < K)
        m1 = _mm256_max_ps(
            m1, _mm256_blendv_ps(_mm256_set1_ps(x[0]), _mm256_maskload_ps(x + kt, tm), _mm256_castsi256_ps(tm)));
    const float m = hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
    const float xt = x[t];
    const __m256 mv = _mm256_set1_ps(m);
    const int eps_on = a->eps != 0.0;
    /* e_j = exp(x_j - m), into dx when there is one; sum e and (label smoothing) sum w_j*(m - x_j) in double */
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, q0 = s0, q1 = s0;
    j = 0;
    for (; j <= K - 8; j += 8) {
        const __m256 xv = _mm256_loadu_ps(x + j); /* x is read once: dx may alias it */
        __m256 e = exp_clamped(_mm256_sub_ps(xv, mv));
        if (eps_on) {
            __m256 wd = w ? _mm256_mul_ps(_mm256_loadu_ps(w + j), _mm256_sub_ps(mv, xv)) : _mm256_sub_ps(mv, xv);
            q0 = add_ps_to_pd(q0, _mm256_castps256_ps128(wd));
            q1 = add_ps_to_pd(q1, _mm256_extractf128_ps(wd, 1));
        }
        if (dx) _mm256_storeu_ps(dx + j, e);
        s0 = add_ps_to_pd(s0, _mm256_castps256_ps128(e));
        s1 = add_ps_to_pd(s1, _mm256_extractf128_ps(e, 1));
    }
    if (kt < K) {
        __m256 xv = _mm256_maskload_ps(x + kt, tm), keep = _mm256_castsi256_ps(tm);
        __m256 e = _mm256_and_ps(keep, exp_clamped(_mm256_sub_ps(xv, mv)));
        if (dx) _mm256_maskstore_ps(dx + kt, tm, e);
        s0 = add_ps_to_pd(s0, _mm256_castps256_ps128(e));
        s1 = add_ps_to_pd(s1, _mm256_extractf128_ps(e, 1));
        if (eps_on) {
            __m256 wd = _mm256_sub_ps(mv, xv);
            if (w) wd = _mm256_mul_ps(_mm256_maskload_ps(w + kt, tm), wd);
            wd = _mm256_and_ps(keep, wd);
            q0 = add_ps_to_pd(q0, _mm256_castps256_ps128(wd));
            q1 = add_ps_to_pd(q1, _mm256_extractf128_ps(wd, 1));
        }
    }
    const double se = hsum_pd(_mm256_add_pd(s0, s1)), swd = hsum_pd(_mm256_add_pd(q0, q1));
    float etv[8];
    _mm256_storeu_ps(etv, exp_clamped(_mm256_set1_ps(xt - m))); /* the same e_t as in the sum */
    const double et = etv[0], sot = se - et, L = log(se);
    const double eps = a->eps, ek = eps / (double)K, W = a->weight_sum, wt = w ? (double)w[t] : 1.0;
    const double row = (1.0 - eps) * wt * (((double)m - (double)xt) + L) + ek * (W * L + swd);
    if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = (float)row;
    if (!dx) return row;
    if (a->zero_grad) {
        memset(dx, 0, (size_t)K * sizeof(float));
        return row;
    }
    const double s = a->grad_scale;
    const __m256 A = _mm256_set1_ps((float)(s * ((1.0 - eps) * wt + ek * W) / se));
    const __m256 Bv = _mm256_set1_ps((float)(s * ek));
    for (j = 0; j <= K - 8; j += 8) {
        __m256 g = _mm256_mul_ps(A, _mm256_loadu_ps(dx + j));
        if (eps_on) g = _mm256_fnmadd_ps(Bv, w ? _mm256_loadu_ps(w + j) : _mm256_set1_ps(1.0f), g);
        _mm256_storeu_ps(dx + j, g);
    }
    for (; j < K; j++) {
        float g = _mm256_cvtss_f32(A) * dx[j];
        if (eps_on) g -= _mm256_cvtss_f32(Bv) * (w ? w[j] : 1.0f);
        dx[j] = g;
    }
    /* p_t - 1 = -sum_{j!=t} e_j / se: no cancellation */
    dx[t] = (float)(s * (-(1.0 - eps) * wt * (sot / se) + ek * ((et / se) * W - wt)));
    return row;
}

/* The gap above the running reference R at which xl_row_one_read raises R: exp(x - R) <= e^16 keeps every float
 * and double sum far from overflow, and a row whose logits span less than 16 never rescales. */
#define XL_HEADROOM 16.0f

/* dx[0, n) *= f, 8 lanes per step with a masked tail */
static void scale_row(float *dx, int64_t n, float f) {
    const __m256 fv = _mm256_set1_ps(f);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(dx + j, _mm256_mul_ps(fv, _mm256_loadu_ps(dx + j)));
    if (j < n) {
        const __m256i m = e4j_first_lanes(n - j);
        _mm256_maskstore_ps(dx + j, m, _mm256_mul_ps(fv, _mm256_maskload_ps(dx + j, m)));
    }
}

/* S + the 8 float lanes of f, in a fixed order */
static inline double add_lanes(double S, __m256d s0, __m256d s1) { return S + hsum_pd(_mm256_add_pd(s0, s1)); }

/* One row of an eps == 0 problem in one read of the logits (see the file comment). The exps are summed in float
 * within each span of 128 columns (16 per lane) and the spans in double: no dependent chain through a double add on
 * every step, and no float sum longer than 16 terms. */
static double xl_row_one_read(const e4j_xent_args *a, int64_t i) {
    const int64_t K = a->K;
    const float *x = a->logits + i * K;
    float *dx = a->dlogits ? a->dlogits + i * K : NULL;
    const int64_t t = a->targets[i];
    if (t == a->ignore_index) {
        if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = 0.0f;
        if (dx) memset(dx, 0, (size_t)K * sizeof(float));
        return 0.0;
    }
    const float xt = x[t]; /* read before dx (which may alias x) is written */
    float R = hmax(_mm256_max_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8))); /* K > 16 */
    __m256 rv = _mm256_set1_ps(R), lim = _mm256_set1_ps(R + XL_HEADROOM);
    double S = 0.0;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    for (int64_t j0 = 0; j0 < K; j0 += 128) {
        const int64_t j1 = j0 + 128 < K ? j0 + 128 : K;
        __m256 f = _mm256_setzero_ps();
        for (int64_t j = j0; j < j1; j += 8) {
            const int full = j + 8 <= j1;
            const __m256i m = e4j_first_lanes(j1 - j);
            const __m256 xv = full ? _mm256_loadu_ps(x + j) : _mm256_maskload_ps(x + j, m);
            const __m256 over = _mm256_and_ps(_mm256_castsi256_ps(m), _mm256_cmp_ps(xv, lim, _CMP_GT_OQ));
            if (__builtin_expect(_mm256_movemask_ps(over) != 0, 0)) {
                /* raise R to this block's max: fold the sums so far into S, rescale them and the stored exps */
                const __m256 keep = _mm256_castsi256_ps(m);
                const float Rn = hmax(_mm256_blendv_ps(_mm256_set1_ps(-INFINITY), xv, keep));
                const double g = exp((double)R - (double)Rn);
                S = add_lanes(add_lanes(S, s0, s1), _mm256_cvtps_pd(_mm256_castps256_ps128(f)),
                              _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1))) *
                    g;
                s0 = s1 = _mm256_setzero_pd();
                f = _mm256_setzero_ps();
                if (dx) scale_row(dx, j, (float)g);
                R = Rn;
                rv = _mm256_set1_ps(R);
                lim = _mm256_set1_ps(R + XL_HEADROOM);
            }
            __m256 e = exp_clamped(_mm256_sub_ps(xv, rv));
            if (full) {
                if (dx) _mm256_storeu_ps(dx + j, e);
            } else {
                e = _mm256_and_ps(_mm256_castsi256_ps(m), e);
                if (dx) _mm256_maskstore_ps(dx + j, m, e);
            }
            f = _mm256_add_ps(f, e);
        }
        s0 = add_ps_to_pd(s0, _mm256_castps256_ps128(f));
        s1 = add_ps_to_pd(s1, _mm256_extractf128_ps(f, 1));
    }
    const double se = add_lanes(S, s0, s1);
    float etv[8]; /* e_t as the sum has it (exactly so when t is the max: no rise of R comes after the max) */
    _mm256_storeu_ps(etv, exp_clamped(_mm256_set1_ps(xt - R)));
    const double et = etv[0], wt = a->weight ? (double)a->weight[t] : 1.0, L = log(se);
    const double row = wt * (((double)R - (double)xt) + L);
    if (a->reduction == E4J_REDUCE_NONE) a->loss[i] = (float)row;
    if (!dx) return row;
    if (a->zero_grad) {
        memset(dx, 0, (size_t)K * sizeof(float));
        return row;
    }
    const double s = a->grad_scale;
    scale_row(dx, K, (float)(s * wt / se));
    dx[t] = (float)(-s * wt * ((se - et) / se)); /* p_t - 1 = -sum_{j!=t} e_j / se: no cancellation */
    return row;
}

double e4j_xent_long_rows_avx2(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    double total = 0.0;
    if (a->eps == 0.0)
        for (int64_t i = i0; i < i1; i++) total += xl_row_one_read(a, i);
    else
        for (int64_t i = i0; i < i1; i++) total += xl_row_two_pass(a, i);
    return total;
}
