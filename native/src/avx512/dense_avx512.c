/* AVX-512 exact int32 dots of int16 queries with int8 rows (the dot_rows_i8 primitive; dense_ref.c is the
 * specification). A tile is GQ queries x R rows (4x4, 3x4, 2x8 or 1x16) in 16 zmm accumulators, 32 dimensions a
 * step (vpmovsxbw + vpmaddwd + vpaddd), the last partial step a masked load (bytes past the row are not read; ymm
 * when it holds 16 dimensions or fewer); the 16 accumulators are reduced together into one vector of 16 sums. A
 * tile short of rows repeats the last row and drops its sums. Integer sums do not depend on their order, so every
 * (query, row) equals the reference and the AVX2 kernel whatever G, the block or the tile. Thread-safe for disjoint
 * outputs. */
#include "kernels.h"

#include <immintrin.h>

/* v[j] -> lane j of the result: the sum of v[j]'s 16 lanes */
static inline __m512i hsum16_epi32(const __m512i v[16]) {
    __m512i t[8], u[4], s[2];
    for (int p = 0; p < 8; p++)
        t[p] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * p], v[2 * p + 1]),
                                _mm512_unpackhi_epi32(v[2 * p], v[2 * p + 1]));
    for (int p = 0; p < 4; p++)
        u[p] = _mm512_add_epi32(_mm512_unpacklo_epi64(t[2 * p], t[2 * p + 1]),
                                _mm512_unpackhi_epi64(t[2 * p], t[2 * p + 1]));
    for (int p = 0; p < 2; p++)
        s[p] = _mm512_add_epi32(_mm512_shuffle_i32x4(u[2 * p], u[2 * p + 1], 0x88),
                                _mm512_shuffle_i32x4(u[2 * p], u[2 * p + 1], 0xDD));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(s[0], s[1], 0x88), _mm512_shuffle_i32x4(s[0], s[1], 0xDD));
}

/* dots of queries [g0, g0+GQ) with rows [r, r+R) (clipped to r1): GQ and R are constants after inlining */
static inline __attribute__((always_inline)) void tile(int32_t *dots, int64_t n, const int16_t *q, int64_t g0,
                                                       const int8_t *W, int64_t ldw, int64_t r, int64_t r0, int64_t r1,
                                                       int64_t D, const int GQ, const int R) {
    const int64_t rem = D & 31, D32 = D - rem;
    const __mmask32 m = (__mmask32)((1ull << rem) - 1u);
    const int16_t *qg[4];
    const int8_t *w[16];
    for (int g = 0; g < GQ; g++) qg[g] = q + (g0 + g) * D;
    for (int j = 0; j < R; j++) w[j] = W + (r + j < r1 ? r + j : r1 - 1) * ldw;
    __m512i acc[16]; /* (query g, row j) at g*R + j; the rest stay 0 */
    for (int i = 0; i < 16; i++) acc[i] = _mm512_setzero_si512();
    for (int64_t d = 0; d < D32; d += 32) {
        __m512i v[4];
        for (int g = 0; g < GQ; g++) v[g] = _mm512_loadu_si512((const void *)(qg[g] + d));
        for (int j = 0; j < R; j++) {
            __m512i x = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(w[j] + d)));
            for (int g = 0; g < GQ; g++) acc[g * R + j] = _mm512_add_epi32(acc[g * R + j], _mm512_madd_epi16(v[g], x));
        }
    }
    if (rem > 0 && rem <= 16) { /* a short tail in ymm: half the multiplies of a zmm step */
        __m256i v[4];
        for (int g = 0; g < GQ; g++) v[g] = _mm256_maskz_loadu_epi16((__mmask16)m, qg[g] + D32);
        for (int j = 0; j < R; j++) {
            __m256i x = _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8((__mmask16)m, w[j] + D32));
            for (int g = 0; g < GQ; g++)
                acc[g * R + j] = _mm512_add_epi32(acc[g * R + j], _mm512_zextsi256_si512(_mm256_madd_epi16(v[g], x)));
        }
    } else if (rem > 16) {
        __m512i v[4];
        for (int g = 0; g < GQ; g++) v[g] = _mm512_maskz_loadu_epi16(m, qg[g] + D32);
        for (int j = 0; j < R; j++) {
            __m512i x = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, w[j] + D32));
            for (int g = 0; g < GQ; g++) acc[g * R + j] = _mm512_add_epi32(acc[g * R + j], _mm512_madd_epi16(v[g], x));
        }
    }
    int32_t s[16];
    _mm512_storeu_si512((void *)s, hsum16_epi32(acc));
    for (int g = 0; g < GQ; g++)
        for (int j = 0; j < R && r + j < r1; j++) dots[(g0 + g) * n + (r - r0) + j] = s[g * R + j];
}

void e4j_dot_rows_i8_avx512(int32_t *dots, const int16_t *q, int64_t G, const int8_t *W, int64_t ldw, int64_t r0,
                            int64_t r1, int64_t D) {
    const int64_t n = r1 - r0;
    for (int64_t g0 = 0; g0 < G; g0 += 4) {
        const int64_t gq = G - g0 < 4 ? G - g0 : 4;
        if (gq == 4)
            for (int64_t r = r0; r < r1; r += 4) tile(dots, n, q, g0, W, ldw, r, r0, r1, D, 4, 4);
        else if (gq == 3)
            for (int64_t r = r0; r < r1; r += 4) tile(dots, n, q, g0, W, ldw, r, r0, r1, D, 3, 4);
        else if (gq == 2)
            for (int64_t r = r0; r < r1; r += 8) tile(dots, n, q, g0, W, ldw, r, r0, r1, D, 2, 8);
        else
            for (int64_t r = r0; r < r1; r += 16) tile(dots, n, q, g0, W, ldw, r, r0, r1, D, 1, 16);
    }
}
