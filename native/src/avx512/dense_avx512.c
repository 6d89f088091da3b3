/* AVX-512 exact int32 dots of int16 queries with int8 rows (the dot_rows_i8 primitive; dense_ref.c is the
 * specification). A tile is 4 queries x 4 rows in 16 zmm accumulators, 32 dimensions a step (vpmovsxbw +
 * vpmaddwd + vpaddd), the last partial step a masked load (bytes past the row are not read; ymm when it holds 16
 * dimensions or fewer); the 16 accumulators
 * are reduced together into one vector of 16 sums. A tile short of queries or rows repeats the last one and drops
 * its sums. Integer sums do not depend on their order, so every (query, row) equals the reference and the AVX2
 * kernel whatever G, the block or the tile. Thread-safe for disjoint outputs. */
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

void e4j_dot_rows_i8_avx512(int32_t *dots, const int16_t *q, int64_t G, const int8_t *W, int64_t ldw, int64_t r0,
                            int64_t r1, int64_t D) {
    const int64_t n = r1 - r0, rem = D & 31, D32 = D - rem;
    const __mmask32 m = (__mmask32)((1ull << rem) - 1u);
    for (int64_t g0 = 0; g0 < G; g0 += 4) {
        const int16_t *qg[4];
        for (int64_t g = 0; g < 4; g++) qg[g] = q + (g0 + g < G ? g0 + g : G - 1) * D;
        for (int64_t r = r0; r < r1; r += 4) {
            const int8_t *w[4];
            for (int64_t j = 0; j < 4; j++) w[j] = W + (r + j < r1 ? r + j : r1 - 1) * ldw;
            _mm_prefetch((const char *)(w[3] + 4 * ldw), _MM_HINT_T0);
            __m512i acc[16]; /* (query g, row j) at 4g + j */
            for (int i = 0; i < 16; i++) acc[i] = _mm512_setzero_si512();
            for (int64_t d = 0; d < D32; d += 32) {
                __m512i x[4];
                for (int j = 0; j < 4; j++)
                    x[j] = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(w[j] + d)));
                for (int g = 0; g < 4; g++) {
                    __m512i v = _mm512_loadu_si512((const void *)(qg[g] + d));
                    for (int j = 0; j < 4; j++)
                        acc[4 * g + j] = _mm512_add_epi32(acc[4 * g + j], _mm512_madd_epi16(v, x[j]));
                }
            }
            if (rem > 0 && rem <= 16) { /* a short tail in ymm: half the multiplies of a zmm step */
                __m256i x[4];
                for (int j = 0; j < 4; j++) x[j] = _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8((__mmask16)m, w[j] + D32));
                for (int g = 0; g < 4; g++) {
                    __m256i v = _mm256_maskz_loadu_epi16((__mmask16)m, qg[g] + D32);
                    for (int j = 0; j < 4; j++)
                        acc[4 * g + j] =
                            _mm512_add_epi32(acc[4 * g + j], _mm512_zextsi256_si512(_mm256_madd_epi16(v, x[j])));
                }
            } else if (rem > 16) {
                __m512i x[4];
                for (int j = 0; j < 4; j++) x[j] = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, w[j] + D32));
                for (int g = 0; g < 4; g++) {
                    __m512i v = _mm512_maskz_loadu_epi16(m, qg[g] + D32);
                    for (int j = 0; j < 4; j++)
                        acc[4 * g + j] = _mm512_add_epi32(acc[4 * g + j], _mm512_madd_epi16(v, x[j]));
                }
            }
            int32_t s[16];
            _mm512_storeu_si512((void *)s, hsum16_epi32(acc));
            for (int64_t g = 0; g < 4 && g0 + g < G; g++)
                for (int64_t j = 0; j < 4 && r + j < r1; j++) dots[(g0 + g) * n + (r - r0) + j] = s[4 * g + j];
        }
    }
}
