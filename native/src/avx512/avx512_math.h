/* Vector helpers shared by the AVX-512 kernels: exp on 16 lanes (avx2_math.h's range reduction with a shorter
 * polynomial and vscalefps), log1p on [0, 1], and lane masks. Include only from src/avx512 (the only files built with -mavx512*). Pure functions; thread-safe. */
#ifndef E4J_AVX512_MATH_H
#define E4J_AVX512_MATH_H

#include <immintrin.h>
#include <stdint.h>

/* exp(x), ~3 ulp, for x in [-87.33, 88.7]: e4j_exp256's range reduction (n = round(x / ln2), r = x - n*ln2 with ln2
 * in two parts), exp(r) by its Taylor polynomial to r^6 (|r| <= ln2/2: the remainder is < 1.3e-7 relative; one
 * multiply-add fewer than e4j_exp256's Cephes polynomial, so it rounds differently from the AVX2 exp, within the
 * conformance tests' tolerance), times 2^n by vscalefps. */
static inline __m512 e4j_exp512(__m512 x) {
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

/* log(1 + u) for u in [0, 1]: 2*atanh(v), v = u/(2+u), by its odd series to v^15 (xent_avx2.c's log1p_unit). */
static inline __m512 e4j_log1p_unit512(__m512 u) {
    __m512 v = _mm512_div_ps(u, _mm512_add_ps(_mm512_set1_ps(2.0f), u));
    __m512 v2 = _mm512_mul_ps(v, v);
    __m512 p = _mm512_set1_ps(2.0f / 15.0f);
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 13.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 11.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 9.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 7.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 5.0f));
    p = _mm512_fmadd_ps(p, v2, _mm512_set1_ps(2.0f / 3.0f));
    p = _mm512_mul_ps(p, v2);
    return _mm512_fmadd_ps(p, v, _mm512_add_ps(v, v));
}

/* The first min(max(n, 0), 16) lanes. */
static inline __mmask16 e4j_lanes16(int64_t n) { return (__mmask16)(n <= 0 ? 0 : n >= 16 ? 0xFFFF : (1u << n) - 1u); }

/* xent: targets[i .. i+n) (n <= 16) as int32 lanes, -1 for ignore_index and for lanes past n */
static inline __m512i e4j_targets16(const int64_t *t, int n, __m512i ign) {
    const __mmask8 m0 = (__mmask8)e4j_lanes16(n), m1 = (__mmask8)e4j_lanes16(n - 8);
    const __m512i minus1 = _mm512_set1_epi64(-1);
    __m512i t0 = _mm512_mask_loadu_epi64(minus1, m0, t), t1 = _mm512_mask_loadu_epi64(minus1, m1, t + 8);
    t0 = _mm512_mask_mov_epi64(t0, _mm512_cmpeq_epi64_mask(t0, ign), minus1);
    t1 = _mm512_mask_mov_epi64(t1, _mm512_cmpeq_epi64_mask(t1, ign), minus1);
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(t0)), _mm512_cvtepi64_epi32(t1), 1);
}

#endif
