/* AVX-512 embedding-bag forward: bag_avx2.c's algorithm with 32 zmm registers and opmask tails (see bag_avx2.c
 * for why it is fast and embed_ref.c for the specification). The same arithmetic in the same order (no FMA: the
 * per-sample weight is a multiply then an add, the mean a division), so results and argmax are bit-identical to
 * the reference and to the AVX2 kernel. One bag's result for up to 256 columns (sum, mean, weighted sum: 16
 * accumulators) or 128 columns (max: 8 values and 8 positions) stays in registers across the bag's rows, so a
 * row of up to 1 KiB is read in one pass; the last partial vector of a row is a masked load (lanes past the row
 * are neither read nor written), never a scalar loop. Deterministic; thread-safe for disjoint bag ranges. */
#include "kernels.h"

#include <immintrin.h>

static inline __mmask16 lanes(int64_t n) { return (__mmask16)(n >= 16 ? 0xFFFF : (1u << n) - 1u); }

/* Columns [d0, d0 + n) of one bag's sum, n <= 16*NV, in NV accumulators; div != 0: the mean. */
static inline __attribute__((always_inline)) void sum_block(float *o, const float *W, const void *idx, int32_t it,
                                                            const float *psw, int64_t pad, int64_t j0, int64_t j1,
                                                            int64_t pf_end, int64_t pf_rows, int64_t D, int64_t d0,
                                                            int64_t n, const int NV, float div) {
    __m512 a[16];
    const __mmask16 m = lanes(n - 16 * ((n - 1) / 16)); /* lanes of the last (partial) vector */
    for (int v = 0; v < NV; v++) a[v] = _mm512_setzero_ps();
    for (int64_t j = j0; j < j1; j++) {
        if (d0 == 0 && j + pf_rows < pf_end) e4j_prefetch_row_all(W + e4j_idx_at(idx, it, j + pf_rows) * D, D);
        const int64_t r = e4j_idx_at(idx, it, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        const __m512 s = psw ? _mm512_set1_ps(psw[j]) : _mm512_setzero_ps();
        for (int v = 0; v < NV; v++) {
            if (16 * v >= n) break;
            __m512 x = 16 * v + 16 <= n ? _mm512_loadu_ps(w + 16 * v) : _mm512_maskz_loadu_ps(m, w + 16 * v);
            a[v] = _mm512_add_ps(a[v], psw ? _mm512_mul_ps(x, s) : x);
        }
    }
    for (int v = 0; v < NV; v++) {
        if (16 * v >= n) break;
        __m512 x = div != 0.0f ? _mm512_div_ps(a[v], _mm512_set1_ps(div)) : a[v];
        if (16 * v + 16 <= n)
            _mm512_storeu_ps(o + d0 + 16 * v, x);
        else
            _mm512_mask_storeu_ps(o + d0 + 16 * v, m, x);
    }
}

/* sum / mean of one bag into o: blocks of 256 columns, then the rest in the smallest power-of-two number of
 * registers that holds it */
static inline __attribute__((always_inline)) void bag_sum(float *o, const float *W, const void *idx, int32_t it,
                                                          const float *psw, int64_t pad, int64_t j0, int64_t j1,
                                                          int64_t pf_end, int64_t pf_rows, int64_t D, int mean) {
    int64_t count = 0;
    if (mean)
        for (int64_t j = j0; j < j1; j++) count += e4j_idx_at(idx, it, j) != pad;
    const float div = count > 0 ? (float)count : 0.0f;
    int64_t d0 = 0;
    for (; D - d0 >= 256; d0 += 256) sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, 256, 16, div);
    const int64_t n = D - d0;
    if (n > 128)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 16, div);
    else if (n > 64)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 8, div);
    else if (n > 32)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 4, div);
    else if (n > 16)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 2, div);
    else if (n > 0)
        sum_block(o, W, idx, it, psw, pad, j0, j1, pf_end, pf_rows, D, d0, n, 1, div);
}

/* max of one bag over columns [d0, d0 + n), n <= 16*NV: values and the winning position (j - j0, int32) in
 * 2*NV registers. Returns 0 when the bag has no non-padding row (nothing written). */
static inline __attribute__((always_inline)) int max_block(float *o, int64_t *am, const float *W, const void *idx,
                                                           int32_t it, int64_t pad, int64_t j0, int64_t j1,
                                                           int64_t pf_end, int64_t pf_rows, int64_t D, int64_t d0,
                                                           int64_t n, const int NV) {
    __m512 mx[8];
    __m512i p[8];
    for (int v = 0; v < NV; v++) { /* set by the first non-padding row; zero only to keep the compiler sure */
        mx[v] = _mm512_setzero_ps();
        p[v] = _mm512_setzero_si512();
    }
    const __mmask16 m = lanes(n - 16 * ((n - 1) / 16));
    int any = 0;
    for (int64_t j = j0; j < j1; j++) {
        if (d0 == 0 && j + pf_rows < pf_end) e4j_prefetch_row_all(W + e4j_idx_at(idx, it, j + pf_rows) * D, D);
        const int64_t r = e4j_idx_at(idx, it, j);
        if (r == pad) continue;
        const float *w = W + r * D + d0;
        const __m512i jv = _mm512_set1_epi32((int32_t)(j - j0));
        for (int v = 0; v < NV; v++) {
            if (16 * v >= n) break;
            __m512 x = 16 * v + 16 <= n ? _mm512_loadu_ps(w + 16 * v) : _mm512_maskz_loadu_ps(m, w + 16 * v);
            if (!any) {
                mx[v] = x;
                p[v] = jv;
                continue;
            }
            __mmask16 gt = _mm512_cmp_ps_mask(x, mx[v], _CMP_GT_OQ);
            mx[v] = _mm512_mask_mov_ps(mx[v], gt, x);
            p[v] = _mm512_mask_mov_epi32(p[v], gt, jv);
        }
        any = 1;
    }
    if (!any) return 0;
    const __m512i base = _mm512_set1_epi64(j0);
    for (int v = 0; v < NV; v++) {
        if (16 * v >= n) break;
        const __m512i lo = _mm512_add_epi64(base, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(p[v])));
        const __m512i hi = _mm512_add_epi64(base, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(p[v], 1)));
        float *ov = o + d0 + 16 * v;
        int64_t *av = am + d0 + 16 * v;
        if (16 * v + 16 <= n) {
            _mm512_storeu_ps(ov, mx[v]);
            _mm512_storeu_si512(av, lo);
            _mm512_storeu_si512(av + 8, hi);
        } else {
            _mm512_mask_storeu_ps(ov, m, mx[v]);
            _mm512_mask_storeu_epi64(av, (__mmask8)m, lo);
            _mm512_mask_storeu_epi64(av + 8, (__mmask8)(m >> 8), hi);
        }
    }
    return 1;
}

/* max mode of one bag (see bag_avx2.c): blocks of 128 columns, the rest in fewer registers */
static inline __attribute__((always_inline)) void bag_max(float *o, int64_t *am, const float *W, const void *idx,
                                                          int32_t it, int64_t pad, int64_t j0, int64_t j1,
                                                          int64_t pf_end, int64_t pf_rows, int64_t D) {
    if (j1 - j0 < INT32_MAX) {
        int64_t d0 = 0;
        int any = 1;
        for (; any && D - d0 >= 128; d0 += 128)
            any = max_block(o, am, W, idx, it, pad, j0, j1, pf_end, pf_rows, D, d0, 128, 8);
        const int64_t n = D - d0;
        if (any && n > 0)
            any = n > 64   ? max_block(o, am, W, idx, it, pad, j0, j1, pf_end, pf_rows, D, d0, n, 8)
                  : n > 32 ? max_block(o, am, W, idx, it, pad, j0, j1, pf_end, pf_rows, D, d0, n, 4)
                           : max_block(o, am, W, idx, it, pad, j0, j1, pf_end, pf_rows, D, d0, n, 2);
        if (any) return;
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

static inline __attribute__((always_inline)) void bags(const e4j_bag_args *a, int64_t b0, int64_t b1, int32_t it,
                                                       const int64_t D) {
    const int64_t pad = a->padding_idx, pf_end = a->offsets[b1], pf_rows = e4j_bag_pf_rows(D);
    for (int64_t b = b0; b < b1; b++) {
        const int64_t j0 = a->offsets[b], j1 = a->offsets[b + 1];
        float *o = a->out + b * D;
        if (a->mode == E4J_BAG_MAX)
            bag_max(o, a->argmax + b * D, a->W, a->idx, it, pad, j0, j1, pf_end, pf_rows, D);
        else if (a->psw)
            bag_sum(o, a->W, a->idx, it, a->psw, pad, j0, j1, pf_end, pf_rows, D, 0);
        else
            bag_sum(o, a->W, a->idx, it, NULL, pad, j0, j1, pf_end, pf_rows, D, a->mode == E4J_BAG_MEAN);
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

void e4j_bag_forward_avx512(const e4j_bag_args *a, int64_t b0, int64_t b1) {
    if (a->idx_type == E4J_INT64)
        bags_of_type(a, b0, b1, E4J_INT64);
    else
        bags_of_type(a, b0, b1, E4J_INT32);
}
