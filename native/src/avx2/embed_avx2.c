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

/* One hint per 128-byte pair of lines: the L2 spatial prefetcher brings the buddy line, and half the
 * hints leave more fill buffers to the demand loads (measured ~5-8% faster on bag forward). */
static inline void prefetch_row_pairs(const float *p, int64_t D) {
    for (int64_t i = 0; i < D; i += 32) _mm_prefetch((const char *)(p + i), _MM_HINT_T0);
}

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

/* rows ahead for bag forward (FBGEMM's default distance). On the dev machine's Zen 4, distances 8..32 and
 * no prefetch at all measured within the noise of each other (its out-of-order window already overlaps
 * the register-blocked loads; T1/T2 hints at distances 16..48 likewise); kept for CPUs with smaller windows. */
#define E4J_PF_BAG 16

/* Columns [d0, d0 + 8*NV) of one bag's sum: NV accumulators held in registers across the bag's rows (no
 * load/store of o per row, so the out-of-order window holds more rows' loads in flight). */
static inline __attribute__((always_inline)) void sum_cols(float *o, const float *W, const void *idx, int32_t idx_type,
                                                           const float *psw, int64_t pad, int64_t j0, int64_t j1,
                                                           int64_t pf_end, int64_t D, int64_t d0, const int NV, int pf,
                                                           float div) {
    __m256 a[8];
    for (int v = 0; v < NV; v++) a[v] = _mm256_setzero_ps();
    for (int64_t j = j0; j < j1; j++) {
        if (pf && j + E4J_PF_BAG < pf_end) prefetch_row_pairs(W + e4j_idx_at(idx, idx_type, j + E4J_PF_BAG) * D, D);
        int64_t r = e4j_idx_at(idx, idx_type, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        if (psw) {
            __m256 sv = _mm256_set1_ps(psw[j]);
            for (int v = 0; v < NV; v++) a[v] = _mm256_add_ps(a[v], _mm256_mul_ps(_mm256_loadu_ps(w + 8 * v), sv));
        } else {
            for (int v = 0; v < NV; v++) a[v] = _mm256_add_ps(a[v], _mm256_loadu_ps(w + 8 * v));
        }
    }
    if (div != 0.0f) { /* mean: o = sum / count, the reference's division (not a reciprocal multiply) */
        const __m256 cv = _mm256_set1_ps(div);
        for (int v = 0; v < NV; v++) a[v] = _mm256_div_ps(a[v], cv);
    }
    for (int v = 0; v < NV; v++) _mm256_storeu_ps(o + d0 + 8 * v, a[v]);
}

/* sum / mean of one bag's rows into o, no FMA (as the reference); every column of o is written.
 * Columns go in blocks of 64 (8 registers; 16 registers for a whole 128-float row measured 1.8x slower:
 * the compiler spills), then the rest accumulated in o.
 * The order of the adds per element is the reference's, so the result is bit-identical to it. */
static inline void bag_sum(float *o, const float *W, const void *idx, int32_t idx_type, const float *psw, int64_t pad,
                           int64_t j0, int64_t j1, int64_t pf_end, int64_t D, int mean) {
    int64_t count = 0;
    for (int64_t j = j0; j < j1; j++) count += e4j_idx_at(idx, idx_type, j) != pad;
    const float div = mean && count > 0 ? (float)count : 0.0f;
    int64_t d0 = 0;
    for (; D - d0 >= 64; d0 += 64) sum_cols(o, W, idx, idx_type, psw, pad, j0, j1, pf_end, D, d0, 8, d0 == 0, div);
    if (d0 < D) { /* the last < 64 columns: accumulate in o */
        for (int64_t d = d0; d < D; d++) o[d] = 0.0f;
        for (int64_t j = j0; j < j1; j++) {
            if (d0 == 0 && j + E4J_PF_BAG < pf_end)
                prefetch_row_pairs(W + e4j_idx_at(idx, idx_type, j + E4J_PF_BAG) * D, D);
            int64_t r = e4j_idx_at(idx, idx_type, j);
            if (r == pad) continue;
            acc_row(o + d0, W + r * D + d0, psw ? psw + j : NULL, D - d0);
        }
        if (div != 0.0f)
            for (int64_t d = d0; d < D; d++) o[d] /= div;
    }
}

/* max of one bag over columns [d0, d0 + 32): values and the winning position (j - j0, int32) held in 8
 * registers across the bag's rows; the first non-padding row initialises, later rows win only where
 * strictly greater (the reference's rule, so values and argmax are identical to it). Returns 0 when
 * the bag has no non-padding row (nothing written). Needs j1 - j0 < 2^31. */
static inline int max_cols32(float *o, int64_t *am, const float *W, const void *idx, int32_t idx_type, int64_t pad,
                             int64_t j0, int64_t j1, int64_t pf_end, int64_t D, int64_t d0, int pf) {
    __m256 m[4];
    __m256i p[4];
    int any = 0;
    for (int64_t j = j0; j < j1; j++) {
        if (pf && j + E4J_PF_BAG < pf_end) prefetch_row_pairs(W + e4j_idx_at(idx, idx_type, j + E4J_PF_BAG) * D, D);
        int64_t r = e4j_idx_at(idx, idx_type, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        const __m256i jv = _mm256_set1_epi32((int32_t)(j - j0));
        if (!any) {
            for (int v = 0; v < 4; v++) {
                m[v] = _mm256_loadu_ps(w + 8 * v);
                p[v] = jv;
            }
            any = 1;
            continue;
        }
        for (int v = 0; v < 4; v++) {
            __m256 x = _mm256_loadu_ps(w + 8 * v);
            __m256 gt = _mm256_cmp_ps(x, m[v], _CMP_GT_OQ);
            m[v] = _mm256_blendv_ps(m[v], x, gt);
            p[v] = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(p[v]), _mm256_castsi256_ps(jv), gt));
        }
    }
    if (!any) return 0;
    const __m256i base = _mm256_set1_epi64x(j0);
    for (int v = 0; v < 4; v++) {
        _mm256_storeu_ps(o + d0 + 8 * v, m[v]);
        _mm256_storeu_si256((__m256i *)(am + d0 + 8 * v),
                            _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(p[v]))));
        _mm256_storeu_si256((__m256i *)(am + d0 + 8 * v + 4),
                            _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(p[v], 1))));
    }
    return 1;
}

/* max mode of one bag: out and argmax (B,D) rows; an empty (or all-padding) bag gives 0 and -1 */
static inline void bag_max(float *o, int64_t *am, const float *W, const void *idx, int32_t idx_type, int64_t pad,
                           int64_t j0, int64_t j1, int64_t pf_end, int64_t D) {
    int64_t d0 = 0;
    if (j1 - j0 < INT32_MAX)
        for (; D - d0 >= 32; d0 += 32)
            if (!max_cols32(o, am, W, idx, idx_type, pad, j0, j1, pf_end, D, d0, d0 == 0)) break;
    if (d0 >= D) return;
    /* the last < 32 columns, an empty bag, or a bag too long for int32 positions: row by row */
    const int64_t n = D - d0;
    for (int64_t d = d0; d < D; d++) {
        o[d] = 0.0f;
        am[d] = -1;
    }
    int64_t count = 0;
    for (int64_t j = j0; j < j1; j++) {
        if (d0 == 0 && j + E4J_PF < pf_end) e4j_prefetch_row(W + e4j_idx_at(idx, idx_type, j + E4J_PF) * D, D);
        int64_t r = e4j_idx_at(idx, idx_type, j);
        if (r == pad) continue;
        max_row(o + d0, am + d0, W + r * D + d0, j, count == 0, n);
        count++;
    }
}

void e4j_bag_forward_avx2(const e4j_bag_args *a, int64_t b0, int64_t b1) {
    const int64_t D = a->D, pad = a->padding_idx;
    const float *W = a->W, *psw = a->psw;
    const void *idx = a->idx;
    const int32_t idx_type = a->idx_type, mode = a->mode;
    const int64_t *offsets = a->offsets;
    const int64_t pf_end = offsets[b1];
    for (int64_t b = b0; b < b1; b++) {
        float *o = a->out + b * D;
        const int64_t j0 = offsets[b], j1 = offsets[b + 1];
        if (mode == E4J_BAG_MAX) {
            if (idx_type == E4J_INT64)
                bag_max(o, a->argmax + b * D, W, idx, E4J_INT64, pad, j0, j1, pf_end, D);
            else
                bag_max(o, a->argmax + b * D, W, idx, E4J_INT32, pad, j0, j1, pf_end, D);
        } else {
            const int mean = mode == E4J_BAG_MEAN;
            if (idx_type == E4J_INT64)
                bag_sum(o, W, idx, E4J_INT64, psw, pad, j0, j1, pf_end, D, mean);
            else
                bag_sum(o, W, idx, E4J_INT32, psw, pad, j0, j1, pf_end, D, mean);
        }
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
