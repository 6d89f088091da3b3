/* AVX2 optimizer rules: the operations of optim_ref.c, 8 slots at a time, same order, no FMA
 * (bit-identical to the reference; sqrt and div are correctly rounded in both). The sum of squares of
 * row-wise Adagrad runs in 4 double lanes, so it may differ from the reference in the last bits.
 * Thread-safe for disjoint slots. */
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

static inline __m256 signed_grad(const float *g, int64_t i, int32_t maximize) {
    __m256 x = _mm256_loadu_ps(g + i);
    return maximize ? _mm256_xor_ps(x, _mm256_set1_ps(-0.0f)) : x;
}

void e4j_optim_avx2(float *w, float *s1, float *s2, const float *g, int64_t n, const e4j_optim_consts *c) {
    const __m256 lr = _mm256_set1_ps(c->lr), wd = _mm256_set1_ps(c->weight_decay);
    const __m256 b1 = _mm256_set1_ps(c->beta1), b2 = _mm256_set1_ps(c->beta2);
    const __m256 c1 = _mm256_set1_ps(1.0f - c->beta1), c2 = _mm256_set1_ps(1.0f - c->beta2);
    const __m256 eps = _mm256_set1_ps(c->eps), step = _mm256_set1_ps(c->adam_step_size);
    const __m256 bc2 = _mm256_set1_ps(c->adam_bc2_sqrt), decay = _mm256_set1_ps(c->adamw_decay);
    const __m256 mu = _mm256_set1_ps(c->momentum), damp = _mm256_set1_ps(1.0f - c->dampening);
    const int has_wd = c->weight_decay != 0.0f;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 grad = signed_grad(g, i, c->maximize);
        __m256 wi = _mm256_loadu_ps(w + i);
        switch (c->kind) {
        case E4J_OPT_SGD:
            if (has_wd) grad = _mm256_add_ps(grad, _mm256_mul_ps(wd, wi));
            if (c->momentum != 0.0f) {
                __m256 buf = c->first_step
                                 ? grad
                                 : _mm256_add_ps(_mm256_mul_ps(mu, _mm256_loadu_ps(s1 + i)), _mm256_mul_ps(damp, grad));
                _mm256_storeu_ps(s1 + i, buf);
                grad = c->nesterov ? _mm256_add_ps(grad, _mm256_mul_ps(mu, buf)) : buf;
            }
            _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_mul_ps(lr, grad)));
            break;
        case E4J_OPT_ADAM:
        case E4J_OPT_ADAMW: {
            if (c->kind == E4J_OPT_ADAMW)
                wi = _mm256_mul_ps(wi, decay);
            else if (has_wd)
                grad = _mm256_add_ps(grad, _mm256_mul_ps(wd, wi));
            __m256 m = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(s1 + i)), _mm256_mul_ps(c1, grad));
            __m256 v =
                _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(s2 + i)), _mm256_mul_ps(_mm256_mul_ps(c2, grad), grad));
            _mm256_storeu_ps(s1 + i, m);
            _mm256_storeu_ps(s2 + i, v);
            __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(v), bc2), eps);
            _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_mul_ps(step, _mm256_div_ps(m, denom))));
            break;
        }
        case E4J_OPT_ADAGRAD: {
            if (has_wd) grad = _mm256_add_ps(grad, _mm256_mul_ps(wd, wi));
            __m256 sum = _mm256_add_ps(_mm256_loadu_ps(s1 + i), _mm256_mul_ps(grad, grad));
            _mm256_storeu_ps(s1 + i, sum);
            __m256 q = _mm256_div_ps(grad, _mm256_add_ps(_mm256_sqrt_ps(sum), eps));
            _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_mul_ps(lr, q)));
            break;
        }
        case E4J_OPT_SPARSE_ADAM: {
            __m256 m = _mm256_loadu_ps(s1 + i), v = _mm256_loadu_ps(s2 + i);
            m = _mm256_add_ps(m, _mm256_mul_ps(_mm256_sub_ps(grad, m), c1));
            v = _mm256_add_ps(v, _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(grad, grad), v), c2));
            _mm256_storeu_ps(s1 + i, m);
            _mm256_storeu_ps(s2 + i, v);
            __m256 q = _mm256_div_ps(m, _mm256_add_ps(_mm256_sqrt_ps(v), eps));
            _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_mul_ps(step, q)));
            break;
        }
        default:
            break;
        }
    }
    if (i < n) e4j_optim_ref(w + i, s1 ? s1 + i : NULL, s2 ? s2 + i : NULL, g + i, n - i, c);
}

double e4j_rowwise_sumsq_avx2(const float *g, const float *w, float wd, int32_t maximize, int64_t n) {
    const __m256 wdv = _mm256_set1_ps(wd);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = signed_grad(g, i, maximize);
        if (wd != 0.0f) gi = _mm256_add_ps(gi, _mm256_mul_ps(wdv, _mm256_loadu_ps(w + i)));
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(gi)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(gi, 1));
        s0 = _mm256_add_pd(s0, _mm256_mul_pd(lo, lo));
        s1 = _mm256_add_pd(s1, _mm256_mul_pd(hi, hi));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    double s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    return s + e4j_rowwise_sumsq_ref(g + i, w + i, wd, maximize, n - i);
}

void e4j_rowwise_apply_avx2(float *w, const float *g, float lr, float denom, float wd, int32_t maximize, int64_t n) {
    const __m256 lrv = _mm256_set1_ps(lr), dv = _mm256_set1_ps(denom), wdv = _mm256_set1_ps(wd);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = signed_grad(g, i, maximize);
        __m256 wi = _mm256_loadu_ps(w + i);
        if (wd != 0.0f) gi = _mm256_add_ps(gi, _mm256_mul_ps(wdv, wi));
        _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_mul_ps(lrv, _mm256_div_ps(gi, dv))));
    }
    e4j_rowwise_apply_ref(w + i, g + i, lr, denom, wd, maximize, n - i);
}
