/* AVX2 embedding primitives: gather, bag forward, row reductions for backward (see kernels.h).
 * Same arithmetic and order as embed_ref.c (adds and multiplies are not fused, -ffp-contract=off),
 * so gather, bag forward and the backward reductions are bit-identical to the scalar reference; only
 * e4j_dot_avx2 (8 lanes, FMA) rounds differently. The table rows are random reads from DRAM, so the
 * loops prefetch rows ahead (E4J_PF; bag forward E4J_PF_BAG, across bag boundaries) and the bag sum
 * keeps 64 columns in registers. Deterministic; thread-safe for disjoint outputs. */
#include "kernels.h"

#include <immintrin.h>

#define E4J_PF 4

static inline void prefetch_row(const float *p, int64_t D) {
    for (int64_t i = 0; i < D; i += 16) _mm_prefetch((const char *)(p + i), _MM_HINT_T0);
}

/* One hint per 128-byte pair of lines: the L2 spatial prefetcher brings the buddy line, and half the
 * hints leave more fill buffers to the demand loads (measured ~5-8% faster on bag forward). */
static inline void prefetch_row_pairs(const float *p, int64_t D) {
    for (int64_t i = 0; i < D; i += 32) _mm_prefetch((const char *)(p + i), _MM_HINT_T0);
}

void e4j_gather_avx2(const e4j_gather_args *a, int64_t n0, int64_t n1) {
    const int64_t D = a->D;
    for (int64_t n = n0; n < n1; n++) {
        if (n + E4J_PF < n1) prefetch_row(a->W + e4j_idx_at(a->idx, a->idx_type, n + E4J_PF) * D, D);
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

/* o = max(o, w) elementwise where w > o strictly (or first), argmax follows */
static inline void max_row(float *o, int64_t *am, const float *w, int64_t j, int first, int64_t D) {
    int64_t d = 0;
    if (first) {
        for (; d < D; d++) {
            o[d] = w[d];
            am[d] = j;
        }
        return;
    }
    for (; d + 8 <= D; d += 8) {
        __m256 ov = _mm256_loadu_ps(o + d), wv = _mm256_loadu_ps(w + d);
        __m256 gt = _mm256_cmp_ps(wv, ov, _CMP_GT_OQ);
        int m = _mm256_movemask_ps(gt);
        if (m) {
            _mm256_storeu_ps(o + d, _mm256_blendv_ps(ov, wv, gt));
            while (m) {
                int bit = __builtin_ctz((unsigned)m);
                am[d + bit] = j;
                m &= m - 1;
            }
        }
    }
    for (; d < D; d++)
        if (w[d] > o[d]) {
            o[d] = w[d];
            am[d] = j;
        }
}

#define E4J_PF_BAG 16 /* rows ahead for bag forward (FBGEMM's default distance) */

/* sum / mean of one bag's rows into o (zeroed by the caller), no FMA (as the reference); returns the count.
 * Columns go in blocks of 64 held in 8 registers across the bag's rows (no load/store of o per row, so
 * the out-of-order window reaches further ahead); rows are prefetched E4J_PF_BAG positions ahead across
 * bag boundaries during the first block, and later blocks find them in L1/L2. The order of the adds per
 * element is the reference's, so the result is bit-identical to it. */
static inline int64_t bag_sum(float *o, const float *W, const void *idx, int32_t idx_type, const float *psw,
                              int64_t pad, int64_t j0, int64_t j1, int64_t pf_end, int64_t D) {
    int64_t count = 0;
    for (int64_t j = j0; j < j1; j++) count += e4j_idx_at(idx, idx_type, j) != pad;
    for (int64_t d0 = 0; d0 < D; d0 += 64) {
        const int first = d0 == 0;
        if (D - d0 >= 64) {
            __m256 a[8];
            for (int v = 0; v < 8; v++) a[v] = _mm256_setzero_ps();
            for (int64_t j = j0; j < j1; j++) {
                if (first && j + E4J_PF_BAG < pf_end) prefetch_row_pairs(W + e4j_idx_at(idx, idx_type, j + E4J_PF_BAG) * D, D);
                int64_t r = e4j_idx_at(idx, idx_type, j);
                if (r == pad) continue;
                const float *w = W + r * D + d0;
                if (psw) {
                    __m256 sv = _mm256_set1_ps(psw[j]);
                    for (int v = 0; v < 8; v++) a[v] = _mm256_add_ps(a[v], _mm256_mul_ps(_mm256_loadu_ps(w + 8 * v), sv));
                } else {
                    for (int v = 0; v < 8; v++) a[v] = _mm256_add_ps(a[v], _mm256_loadu_ps(w + 8 * v));
                }
            }
            for (int v = 0; v < 8; v++) _mm256_storeu_ps(o + d0 + 8 * v, a[v]);
        } else { /* the last < 64 columns: accumulate in o */
            for (int64_t j = j0; j < j1; j++) {
                if (first && j + E4J_PF_BAG < pf_end) prefetch_row_pairs(W + e4j_idx_at(idx, idx_type, j + E4J_PF_BAG) * D, D);
                int64_t r = e4j_idx_at(idx, idx_type, j);
                if (r == pad) continue;
                acc_row(o + d0, W + r * D + d0, psw ? psw + j : NULL, D - d0);
            }
        }
    }
    return count;
}

void e4j_bag_forward_avx2(const e4j_bag_args *a, int64_t b0, int64_t b1) {
    const int64_t D = a->D, pad = a->padding_idx;
    const float *W = a->W, *psw = a->psw;
    const void *idx = a->idx;
    const int32_t idx_type = a->idx_type, mode = a->mode;
    const int64_t *offsets = a->offsets;
    const int64_t pf_end = offsets[b1];
    const __m256 zero = _mm256_setzero_ps();
    for (int64_t b = b0; b < b1; b++) {
        float *o = a->out + b * D;
        int64_t d = 0;
        for (; d + 8 <= D; d += 8) _mm256_storeu_ps(o + d, zero);
        for (; d < D; d++) o[d] = 0.0f;
        int64_t count = 0, j0 = offsets[b], j1 = offsets[b + 1];
        if (mode != E4J_BAG_MAX) {
            count = idx_type == E4J_INT64 ? bag_sum(o, W, idx, E4J_INT64, psw, pad, j0, j1, pf_end, D)
                                          : bag_sum(o, W, idx, E4J_INT32, psw, pad, j0, j1, pf_end, D);
        } else {
            int64_t *am = a->argmax + b * D;
            for (d = 0; d < D; d++) am[d] = -1;
            for (int64_t j = j0; j < j1; j++) {
                if (j + E4J_PF < pf_end) prefetch_row(W + e4j_idx_at(idx, idx_type, j + E4J_PF) * D, D);
                int64_t r = e4j_idx_at(idx, idx_type, j);
                if (r == pad) continue;
                max_row(o, am, W + r * D, j, count == 0, D);
                count++;
            }
        }
        if (mode == E4J_BAG_MEAN && count > 0) {
            float c = (float)count;
            __m256 cv = _mm256_set1_ps(c);
            for (d = 0; d + 8 <= D; d += 8) _mm256_storeu_ps(o + d, _mm256_div_ps(_mm256_loadu_ps(o + d), cv));
            for (; d < D; d++) o[d] /= c;
        }
    }
}

void e4j_reduce_rows_avx2(float *acc, const float *src, const int64_t *perm, int64_t k0, int64_t k1,
                          int64_t ld, int64_t n) {
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) _mm256_storeu_ps(acc + d, _mm256_setzero_ps());
    for (; d < n; d++) acc[d] = 0.0f;
    for (int64_t k = k0; k < k1; k++) {
        if (k + E4J_PF < k1) prefetch_row(src + perm[k + E4J_PF] * ld, n);
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
                _mm256_storeu_ps(acc + d, _mm256_add_ps(_mm256_loadu_ps(acc + d), _mm256_div_ps(_mm256_loadu_ps(g + d), cv)));
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

static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
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
    float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; d < n; d++) s += a[d] * b[d];
    return s;
}
