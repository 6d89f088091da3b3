/* AVX2 dense-layer and search primitives (see dense_ref.c for the semantics).
 * Bias add, column sums and ReLU are bit-identical to the reference. dot_rows uses 8 FMA lanes per row:
 * it rounds differently from the reference (tests use abs+rel tolerance), but every row is computed the
 * same way whatever block it falls in, so results do not depend on blocking or thread count.
 * Thread-safe for disjoint outputs. */
#include "avx2_math.h"
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

void e4j_bias_add_avx2(float *x, const float *bias, int64_t b0, int64_t b1, int64_t K) {
    for (int64_t b = b0; b < b1; b++) {
        float *r = x + b * K;
        int64_t k = 0;
        for (; k + 8 <= K; k += 8)
            _mm256_storeu_ps(r + k, _mm256_add_ps(_mm256_loadu_ps(r + k), _mm256_loadu_ps(bias + k)));
        for (; k < K; k++) r[k] += bias[k];
    }
}

void e4j_col_sums_avx2(float *acc, const float *x, int64_t B, int64_t K, int64_t k0, int64_t k1) {
    int64_t k = k0;
    for (; k + 32 <= k1; k += 32) { /* 4 registers of columns, summed down the rows */
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t b = 0; b < B; b++) {
            const float *r = x + b * K + k;
            a0 = _mm256_add_ps(a0, _mm256_loadu_ps(r));
            a1 = _mm256_add_ps(a1, _mm256_loadu_ps(r + 8));
            a2 = _mm256_add_ps(a2, _mm256_loadu_ps(r + 16));
            a3 = _mm256_add_ps(a3, _mm256_loadu_ps(r + 24));
        }
        _mm256_storeu_ps(acc + (k - k0), a0);
        _mm256_storeu_ps(acc + (k - k0) + 8, a1);
        _mm256_storeu_ps(acc + (k - k0) + 16, a2);
        _mm256_storeu_ps(acc + (k - k0) + 24, a3);
    }
    for (; k + 8 <= k1; k += 8) {
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t b = 0; b < B; b++) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + b * K + k));
        _mm256_storeu_ps(acc + (k - k0), a0);
    }
    if (k < k1) e4j_col_sums_ref(acc + (k - k0), x, B, K, k, k1);
}

void e4j_relu_forward_avx2(float *out, const float *in, int64_t n) {
    const __m256 zero = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(in + i);
        __m256 keep = _mm256_or_ps(_mm256_cmp_ps(x, zero, _CMP_GT_OQ), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
        _mm256_storeu_ps(out + i, _mm256_and_ps(x, keep));
    }
    e4j_relu_forward_ref(out + i, in + i, n - i);
}

void e4j_relu_backward_avx2(float *din, const float *dout, const float *out, int64_t n) {
    const __m256 zero = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 kill = _mm256_cmp_ps(_mm256_loadu_ps(out + i), zero, _CMP_LE_OQ);
        _mm256_storeu_ps(din + i, _mm256_andnot_ps(kill, _mm256_loadu_ps(dout + i)));
    }
    e4j_relu_backward_ref(din + i, dout + i, out + i, n - i);
}

/* one accumulator per row, then the scalar tail: a row's score is the same in the 4-row and 1-row loops */
void e4j_dot_rows_avx2(float *scores, const float *q, const float *W, int64_t r0, int64_t r1, int64_t D) {
    const int64_t D8 = D & ~(int64_t)7;
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const float *w0 = W + r * D, *w1 = w0 + D, *w2 = w1 + D, *w3 = w2 + D;
        _mm_prefetch((const char *)(w3 + 4 * D), _MM_HINT_T0);
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t d = 0; d < D8; d += 8) {
            __m256 qv = _mm256_loadu_ps(q + d);
            a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(w0 + d), a0);
            a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(w1 + d), a1);
            a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(w2 + d), a2);
            a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(w3 + d), a3);
        }
        float s0 = e4j_hsum256(a0), s1 = e4j_hsum256(a1), s2 = e4j_hsum256(a2), s3 = e4j_hsum256(a3);
        for (int64_t d = D8; d < D; d++) {
            s0 += q[d] * w0[d];
            s1 += q[d] * w1[d];
            s2 += q[d] * w2[d];
            s3 += q[d] * w3[d];
        }
        scores[r - r0] = s0;
        scores[r - r0 + 1] = s1;
        scores[r - r0 + 2] = s2;
        scores[r - r0 + 3] = s3;
    }
    for (; r < r1; r++) {
        const float *w0 = W + r * D;
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t d = 0; d < D8; d += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(w0 + d), a0);
        float s0 = e4j_hsum256(a0);
        for (int64_t d = D8; d < D; d++) s0 += q[d] * w0[d];
        scores[r - r0] = s0;
    }
}

/* Exact int32 dots of int16 queries with int8 rows (see dense_ref.c): 4 queries x 2 rows per tile, 16 dimensions
 * a step (vpmovsxbw + vpmaddwd + vpaddd), the last D % 16 in scalar integers, the 8 accumulators reduced together.
 * A tile short of queries or rows repeats the last one and drops its sums. Integer sums do not depend on their
 * order, so every (query, row) equals the reference whatever G, the block or the tile. */
static inline __m256i hsum8_epi32(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i v4, __m256i v5, __m256i v6,
                                  __m256i v7) {
    __m256i x = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    __m256i y = _mm256_hadd_epi32(_mm256_hadd_epi32(v4, v5), _mm256_hadd_epi32(v6, v7));
    return _mm256_add_epi32(_mm256_permute2x128_si256(x, y, 0x20), _mm256_permute2x128_si256(x, y, 0x31));
}

static inline int32_t tail_i16(const int16_t *q, const int8_t *w, int64_t d0, int64_t D) {
    int32_t s = 0;
    for (int64_t d = d0; d < D; d++) s += (int32_t)q[d] * (int32_t)w[d];
    return s;
}

void e4j_dot_rows_i8_avx2(int32_t *dots, const int16_t *q, int64_t G, const int8_t *W, int64_t ldw, int64_t r0,
                          int64_t r1, int64_t D) {
    const int64_t D16 = D & ~(int64_t)15, n = r1 - r0;
    for (int64_t g0 = 0; g0 < G; g0 += 4) {
        const int16_t *qg[4];
        for (int64_t g = 0; g < 4; g++) qg[g] = q + (g0 + g < G ? g0 + g : G - 1) * D;
        for (int64_t r = r0; r < r1; r += 2) {
            const int8_t *wa = W + r * ldw, *wb = r + 1 < r1 ? wa + ldw : wa;
            _mm_prefetch((const char *)(wb + 2 * ldw), _MM_HINT_T0);
            __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int64_t d = 0; d < D16; d += 16) {
                __m256i xa = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wa + d)));
                __m256i xb = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wb + d)));
                __m256i v = _mm256_loadu_si256((const __m256i *)(qg[0] + d));
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v, xa));
                b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(v, xb));
                v = _mm256_loadu_si256((const __m256i *)(qg[1] + d));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(v, xa));
                b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(v, xb));
                v = _mm256_loadu_si256((const __m256i *)(qg[2] + d));
                a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(v, xa));
                b2 = _mm256_add_epi32(b2, _mm256_madd_epi16(v, xb));
                v = _mm256_loadu_si256((const __m256i *)(qg[3] + d));
                a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(v, xa));
                b3 = _mm256_add_epi32(b3, _mm256_madd_epi16(v, xb));
            }
            int32_t s[8]; /* (query g, row a/b) at 2g + 0/1 */
            _mm256_storeu_si256((__m256i *)s, hsum8_epi32(a0, b0, a1, b1, a2, b2, a3, b3));
            for (int64_t g = 0; g < 4 && g0 + g < G; g++) {
                int32_t *o = dots + (g0 + g) * n + (r - r0);
                o[0] = s[2 * g] + tail_i16(qg[g], wa, D16, D);
                if (r + 1 < r1) o[1] = s[2 * g + 1] + tail_i16(qg[g], wb, D16, D);
            }
        }
    }
}
