/* AVX2 embedding-bag forward (sum / mean / max over bags, see kernels.h and embed_ref.c, the specification).
 * Same arithmetic and order as the reference (adds and multiplies not fused, -ffp-contract=off; sums start from
 * +0 and add the bag's rows in order; the mean divides, never multiplies by a reciprocal; max: the first
 * non-padding row initialises, later rows win only where strictly greater), so results and argmax are
 * bit-identical to it.
 * Why it is fast: the table rows are random reads from DRAM, so the kernel is bound by how many rows are in
 * flight. One bag's result for up to 128 columns (sum/mean: 16 ymm accumulators; per-sample weights: 8, as the
 * scale and the product need two registers) or 32 columns (max: values and positions) stays in registers across
 * the bag's rows; each row of the range is prefetched whole (every 64-byte line, prefetcht0) e4j_bag_pf_rows rows
 * ahead, across bag boundaries, while the first column block is summed. Wider rows take more passes over the
 * bag's rows, which then come from L1/L2. Deterministic; thread-safe for disjoint bag ranges. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>

/* Columns [d0, d0 + n) of one bag's sum, n <= 8*NV, in NV accumulators (vectors past n are skipped, the one
 * across n is masked); psw: times the position's weight, mul then add as the reference. div != 0: the mean. */
static inline __attribute__((always_inline)) void sum_block(float *o, const float *W, const void *idx, int32_t it,
                                                            const float *psw, int64_t pad, int64_t j0, int64_t j1,
                                                            int64_t pf_end, int64_t pf_rows, int64_t D, int64_t d0,
                                                            int64_t n, const int NV, float div) {
    __m256 a[16];
    const __m256i m = e4j_first_lanes(n - 8 * ((n - 1) / 8)); /* lanes of the last (partial) vector */
    for (int v = 0; v < NV; v++) a[v] = _mm256_setzero_ps();
    for (int64_t j = j0; j < j1; j++) {
        if (d0 == 0 && j + pf_rows < pf_end) e4j_prefetch_row_all(W + e4j_idx_at(idx, it, j + pf_rows) * D, D);
        const int64_t r = e4j_idx_at(idx, it, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        const __m256 s = psw ? _mm256_set1_ps(psw[j]) : _mm256_setzero_ps();
        for (int v = 0; v < NV; v++) {
            if (8 * v >= n) break;
            __m256 x = 8 * v + 8 <= n ? _mm256_loadu_ps(w + 8 * v) : _mm256_maskload_ps(w + 8 * v, m);
            a[v] = _mm256_add_ps(a[v], psw ? _mm256_mul_ps(x, s) : x);
        }
    }
    for (int v = 0; v < NV; v++) {
        if (8 * v >= n) break;
        __m256 x = div != 0.0f ? _mm256_div_ps(a[v], _mm256_set1_ps(div)) : a[v];
        if (8 * v + 8 <= n)
            _mm256_storeu_ps(o + d0 + 8 * v, x);
        else
            _mm256_maskstore_ps(o + d0 + 8 * v, m, x);
    }
}

/* sum / mean of one bag into o (every column written): blocks of 8*NV columns, then the last < 8*NV in the
 * smallest power-of-two number of registers that holds them */
static inline __attribute__((always_inline)) void bag_sum(float *o, const float *W, const void *idx, int32_t it,
                                                          const float *psw, int64_t pad, int64_t j0, int64_t j1,
                                                          int64_t pf_end, int64_t pf_rows, int64_t D, int mean,
                                                          const int NV) {
    int64_t count = 0;
    if (mean)
        for (int64_t j = j0; j < j1; j++) count += e4j_idx_at(idx, it, j) != pad;
    const float div = count > 0 ? (float)count : 0.0f;
    int64_t d0 = 0;
    for (; D - d0 >= 8 * NV; d0 += 8 * NV)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, 8 * NV, NV, div);
    const int64_t n = D - d0;
    if (n > 64) /* only when NV == 16: n < 8*NV */
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 16, div);
    else if (n > 32)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 8, div);
    else if (n > 16)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 4, div);
    else if (n > 8)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 2, div);
    else if (n > 0)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 1, div);
}

/* max of one bag over columns [d0, d0 + n), n <= 32: values and the winning position (j - j0, int32) in 8
 * registers across the bag's rows. Returns 0 when the bag has no non-padding row (nothing written). */
static inline __attribute__((always_inline)) int max_block(float *o, int64_t *am, const float *W, const void *idx,
                                                           int32_t it, int64_t pad, int64_t j0, int64_t j1,
                                                           int64_t pf_end, int64_t pf_rows, int64_t D, int64_t d0,
                                                           int64_t n) {
    __m256 mx[4];
    __m256i p[4];
    for (int v = 0; v < 4; v++) { /* set by the first non-padding row; zero only to keep the compiler sure */
        mx[v] = _mm256_setzero_ps();
        p[v] = _mm256_setzero_si256();
    }
    const __m256i m = e4j_first_lanes(n - 8 * ((n - 1) / 8));
    int any = 0;
    for (int64_t j = j0; j < j1; j++) {
        if (d0 == 0 && j + pf_rows < pf_end) e4j_prefetch_row_all(W + e4j_idx_at(idx, it, j + pf_rows) * D, D);
        const int64_t r = e4j_idx_at(idx, it, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        const __m256i jv = _mm256_set1_epi32((int32_t)(j - j0));
        for (int v = 0; v < 4; v++) {
            if (8 * v >= n) break;
            __m256 x = 8 * v + 8 <= n ? _mm256_loadu_ps(w + 8 * v) : _mm256_maskload_ps(w + 8 * v, m);
            if (!any) {
                mx[v] = x;
                p[v] = jv;
                continue;
            }
            __m256 gt = _mm256_cmp_ps(x, mx[v], _CMP_GT_OQ);
            mx[v] = _mm256_blendv_ps(mx[v], x, gt);
            p[v] = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(p[v]), _mm256_castsi256_ps(jv), gt));
        }
        any = 1;
    }
    if (!any) return 0;
    const __m256i base = _mm256_set1_epi64x(j0);
    for (int v = 0; v < 4; v++) {
        if (8 * v >= n) break;
        int64_t pos[8];
        _mm256_storeu_si256((__m256i *)pos,
                            _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(p[v]))));
        _mm256_storeu_si256((__m256i *)(pos + 4),
                            _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(p[v], 1))));
        if (8 * v + 8 <= n) {
            _mm256_storeu_ps(o + d0 + 8 * v, mx[v]);
            for (int l = 0; l < 8; l++) am[d0 + 8 * v + l] = pos[l];
        } else {
            _mm256_maskstore_ps(o + d0 + 8 * v, m, mx[v]);
            for (int64_t l = 0; l < n - 8 * v; l++) am[d0 + 8 * v + l] = pos[l];
        }
    }
    return 1;
}

/* max mode of one bag: out and argmax (B,D) rows; an empty (or all-padding) bag gives 0 and -1. Positions are
 * held as int32 offsets from j0, so a bag of 2^31 or more rows takes the reference's loop. */
static inline __attribute__((always_inline)) void bag_max(float *o, int64_t *am, const float *W, const void *idx,
                                                          int32_t it, int64_t pad, int64_t j0, int64_t j1,
                                                          int64_t pf_end, int64_t pf_rows, int64_t D) {
    if (j1 - j0 < INT32_MAX) {
        int64_t d0 = 0;
        for (; d0 < D; d0 += 32)
            if (!max_block(o, am, W, idx, it, pad, j0, j1, pf_end, pf_rows, D, d0, D - d0 < 32 ? D - d0 : 32)) break;
        if (d0 >= D) return;
    }
    for (int64_t d = 0; d < D; d++) {
        o[d] = 0.0f;
        am[d] = -1;
    }
    int64_t count = 0;
    for (int64_t j = j0; j < j1; j++) {
        const int64_t r = e4j_idx_at(idx, it, j);
        if (r == pad) continue;
        const float *w = W + r * D;
        for (int64_t d = 0; d < D; d++)
            if (count == 0 || w[d] > o[d]) {
                o[d] = w[d];
                am[d] = j;
            }
        count++;
    }
}

/* bags [b0, b1) with a constant index type, so the index loads and the block loops are specialised */
static inline __attribute__((always_inline)) void bags(const e4j_bag_args *a, int64_t b0, int64_t b1, int32_t it,
                                                       const int64_t D) {
    const int64_t pad = a->padding_idx, pf_end = a->offsets[b1], pf_rows = e4j_bag_pf_rows(D);
    for (int64_t b = b0; b < b1; b++) {
        const int64_t j0 = a->offsets[b], j1 = a->offsets[b + 1];
        float *o = a->out + b * D;
        if (a->mode == E4J_BAG_MAX)
            bag_max(o, a->argmax + b * D, a->W, a->idx, it, pad, j0, j1, pf_end, pf_rows, D);
        else if (a->psw)
            bag_sum(o, a->W, a->idx, it, a->psw, pad, j0, j1, pf_end, pf_rows, D, 0, 8);
        else
            bag_sum(o, a->W, a->idx, it, NULL, pad, j0, j1, pf_end, pf_rows, D, a->mode == E4J_BAG_MEAN, 16);
    }
}

/* one instance per index type, and per common row width (every block and prefetch loop unrolled) */
static inline __attribute__((always_inline)) void bags_of_type(const e4j_bag_args *a, int64_t b0, int64_t b1,
                                                               int32_t it) {
    switch (a->D) {
    case 32:
        bags(a, b0, b1, it, 32);
        break;
    case 64:
        bags(a, b0, b1, it, 64);
        break;
    case 128:
        bags(a, b0, b1, it, 128);
        break;
    case 256:
        bags(a, b0, b1, it, 256);
        break;
    default:
        bags(a, b0, b1, it, a->D);
    }
}

void e4j_bag_forward_avx2(const e4j_bag_args *a, int64_t b0, int64_t b1) {
    if (a->idx_type == E4J_INT64)
        bags_of_type(a, b0, b1, E4J_INT64);
    else
        bags_of_type(a, b0, b1, E4J_INT32);
}
