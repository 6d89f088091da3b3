/* Vector math shared by the AVX2 kernels. Include only from *_avx2.c: those are the only files built with
 * -mavx2 -mfma, so the rest of the library stays runnable on any x86-64. Pure functions; thread-safe. */
#ifndef E4J_AVX2_MATH_H
#define E4J_AVX2_MATH_H

#include <immintrin.h>

/* exp(x), ~1 ulp, for x in [-87.33, 88.7] (callers clamp to the range they need: the result of 2^n must stay
 * a normal float). n = round(x / ln2); r = x - n·ln2 with ln2 in two parts (Cody-Waite), so r stays exact;
 * exp(r) by Cephes' degree-6 polynomial; times 2^n built directly in the exponent bits. */
static inline __m256 e4j_exp256(__m256 x) {
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

#endif
