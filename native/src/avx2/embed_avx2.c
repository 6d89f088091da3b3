/* AVX2 embedding primitives: gather, bag forward, row reductions for backward (see kernels.h).
 * Same arithmetic and order as embed_ref.c (adds and multiplies are not fused, -ffp-contract=off),
 * so gather, bag forward and the backward reductions are bit-identical to the scalar reference; only
 * e4j_dot_avx2 (8 lanes, FMA) rounds differently. The table rows are random reads from DRAM, so the
 * loops prefetch rows ahead (E4J_PF; bag forward E4J_PF_BAG, across bag boundaries). Bag forward holds
 * its result in registers across the bag's rows: sum/mean 64 columns (the mean's division at the store),
 * max 32 columns with their winning positions, so no output row is re-read per table row.
 * Deterministic; thread-safe for disjoint outputs. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>

#define E4J_PF 4

void e4j_gather_avx2(const e4j_gather_args *a, int64_t n0, int64_t n1) {
    const int64_t D = a->D;
    for (int64_t n = n0; n < n1; n++) {
        if (n + E4J_PF < n1) e4j_prefetch_row(a->W + e4j_idx_at(a->idx, a->idx_type, n + E4J_PF) * D, D);
        const float *src = a->W + e4j_idx_at(a->idx, a->idx_type, n) * D;
        float *dst = a->out + n * D;
        int64_t d = 0;
        for (; d + 32 <= D; d += 32) {
            __m256 x0 = _mm256_loadu_ps(src + d), x1 = _mm256_loadu_ps(src + d + 8);
            __m256 x2 = _mm256_loadu_ps(src + d + 16), x3 = _mm256_loadu_ps(src + d + 24);
            _mm256_storeu_ps(dst + d, x0);
            _mm256_storeu_ps(dst + d + 8, x1);
            _mm256_storeu_ps(dst + d + 16, x2);
            _mm256_storeu_ps(dst + d + 24, x3);
        }
        for (; d + 8 <= D; d += 8) _mm256_storeu_ps(dst + d, _mm256_loadu_ps(src + d));
        for (; d < D; d++) dst[d] = src[d];
    }
}

/* o += w (* s when s != NULL), no FMA, as the reference */
static inline void acc_row(float *o, const float *w, const float *s, int64_t D) {
    int64_t d = 0;
    if (s) {
        __m256 sv = _mm256_set1_ps(*s);
        for (; d + 8 <= D; d += 8)
            _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), _mm256_mul_ps(_mm256_loadu_ps(w + d), sv)));
        for (; d < D; d++) o[d] += w[d] * *s;
    } else {
        for (; d + 16 <= D; d += 16) {
            _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), _mm256_loadu_ps(w + d)));
            _mm256_storeu_ps(o + d + 8, _mm256_add_ps(_mm256_loadu_ps(o + d + 8), _mm256_loadu_ps(w + d + 8)));
        }
        for (; d + 8 <= D; d += 8)
            _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), _mm256_loadu_ps(w + d)));
        for (; d < D; d++) o[d] += w[d];
    }
}

void e4j_reduce_rows_avx2(float *acc, const float *src, const int64_t *perm, int64_t k0, int64_t k1, int64_t ld,
                          int64_t n) {
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) _mm256_storeu_ps(acc + d, _mm256_setzero_ps());
    for (; d < n; d++) acc[d] = 0.0f;
    for (int64_t k = k0; k < k1; k++) {
        if (k + E4J_PF < k1) e4j_prefetch_row(src + perm[k + E4J_PF] * ld, n);
        acc_row(acc, src + perm[k] * ld, NULL, n);
    }
}

void e4j_reduce_bag_rows_avx2(float *acc, const e4j_bagbw_args *a, const int64_t *perm, int64_t k0, int64_t k1,
                              int64_t d0, int64_t n) {
    if (a->mode == E4J_BAG_MAX) { /* sparse by nature (one winner per element): the scalar loop is fine */
        e4j_reduce_bag_rows_ref(acc, a, perm, k0, k1, d0, n);
        return;
    }
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) _mm256_storeu_ps(acc + d, _mm256_setzero_ps());
    for (; d < n; d++) acc[d] = 0.0f;
    for (int64_t k = k0; k < k1; k++) {
        int64_t j = perm[k];
        int64_t b = e4j_bag_of(a->offsets, a->B, j);
        const float *g = a->dout + b * a->D + d0;
        if (a->mode == E4J_BAG_SUM) {
            acc_row(acc, g, a->psw ? a->psw + j : NULL, n);
        } else {
            float c = (float)e4j_bag_count(a, b);
            __m256 cv = _mm256_set1_ps(c);
            for (d = 0; d + 8 <= n; d += 8)
                _mm256_storeu_ps(acc + d,
                                 _mm256_add_ps(_mm256_loadu_ps(acc + d), _mm256_div_ps(_mm256_loadu_ps(g + d), cv)));
            for (; d < n; d++) acc[d] += g[d] / c;
        }
    }
}

void e4j_add_scaled_avx2(float *dst, const float *src, float scale, int64_t n) {
    __m256 s = _mm256_set1_ps(scale);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
        _mm256_storeu_ps(dst + d, _mm256_add_ps(_mm256_loadu_ps(dst + d), _mm256_mul_ps(_mm256_loadu_ps(src + d), s)));
    for (; d < n; d++) dst[d] += src[d] * scale;
}

void e4j_scale_avx2(float *dst, float scale, int64_t n) {
    __m256 s = _mm256_set1_ps(scale);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) _mm256_storeu_ps(dst + d, _mm256_mul_ps(_mm256_loadu_ps(dst + d), s));
    for (; d < n; d++) dst[d] *= scale;
}

float e4j_dot_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 32 <= n; d += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 8), _mm256_loadu_ps(b + d + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 16), _mm256_loadu_ps(b + d + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 24), _mm256_loadu_ps(b + d + 24), s3);
    }
    for (; d + 8 <= n; d += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), s0);
    float s = e4j_hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; d < n; d++) s += a[d] * b[d];
    return s;
}
