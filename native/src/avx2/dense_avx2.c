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

static inline __m256 load_i8x8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

/* dot(q[g], W8[r]) with 8 FMA lanes, hsum, then the scalar tail: the same for every (query, row) pair in the
 * 4-query x 2-row loop and in the one-query loop, so a score does not depend on G or on the block. Each row is
 * converted to float once and multiplied by up to 4 queries held in L1. */
static inline float tail_i8(float s, const float *q, const int8_t *w, int64_t D8, int64_t D) {
    for (int64_t d = D8; d < D; d++) s += q[d] * (float)w[d];
    return s;
}

void e4j_dot_rows_i8_avx2(float *scores, const float *q, int64_t G, const int8_t *W, int64_t r0, int64_t r1,
                          int64_t D) {
    const int64_t D8 = D & ~(int64_t)7, n = r1 - r0;
    if (G == 4) {
        const float *q0 = q, *q1 = q + D, *q2 = q + 2 * D, *q3 = q + 3 * D;
        int64_t r = r0;
        for (; r + 2 <= r1; r += 2) {
            const int8_t *wa = W + r * D, *wb = wa + D;
            _mm_prefetch((const char *)(wb + 4 * D), _MM_HINT_T0);
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int64_t d = 0; d < D8; d += 8) {
                __m256 xa = load_i8x8(wa + d), xb = load_i8x8(wb + d);
                __m256 v0 = _mm256_loadu_ps(q0 + d), v1 = _mm256_loadu_ps(q1 + d);
                a0 = _mm256_fmadd_ps(v0, xa, a0);
                b0 = _mm256_fmadd_ps(v0, xb, b0);
                a1 = _mm256_fmadd_ps(v1, xa, a1);
                b1 = _mm256_fmadd_ps(v1, xb, b1);
                __m256 v2 = _mm256_loadu_ps(q2 + d), v3 = _mm256_loadu_ps(q3 + d);
                a2 = _mm256_fmadd_ps(v2, xa, a2);
                b2 = _mm256_fmadd_ps(v2, xb, b2);
                a3 = _mm256_fmadd_ps(v3, xa, a3);
                b3 = _mm256_fmadd_ps(v3, xb, b3);
            }
            int64_t i = r - r0;
            scores[i] = tail_i8(e4j_hsum256(a0), q0, wa, D8, D);
            scores[n + i] = tail_i8(e4j_hsum256(a1), q1, wa, D8, D);
            scores[2 * n + i] = tail_i8(e4j_hsum256(a2), q2, wa, D8, D);
            scores[3 * n + i] = tail_i8(e4j_hsum256(a3), q3, wa, D8, D);
            scores[i + 1] = tail_i8(e4j_hsum256(b0), q0, wb, D8, D);
            scores[n + i + 1] = tail_i8(e4j_hsum256(b1), q1, wb, D8, D);
            scores[2 * n + i + 1] = tail_i8(e4j_hsum256(b2), q2, wb, D8, D);
            scores[3 * n + i + 1] = tail_i8(e4j_hsum256(b3), q3, wb, D8, D);
        }
        if (r < r1) /* the odd last row: one query at a time, the same sums */
            for (int64_t g = 0; g < 4; g++) e4j_dot_rows_i8_avx2(scores + g * n + (r - r0), q + g * D, 1, W, r, r1, D);
        return;
    }
    for (int64_t g = 0; g < G; g++) {
        const float *qg = q + g * D;
        for (int64_t r = r0; r < r1; r++) {
            const int8_t *w = W + r * D;
            __m256 a = _mm256_setzero_ps();
            for (int64_t d = 0; d < D8; d += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(qg + d), load_i8x8(w + d), a);
            scores[g * n + (r - r0)] = tail_i8(e4j_hsum256(a), qg, w, D8, D);
        }
    }
}
