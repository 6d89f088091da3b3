/* Vector helpers shared by the AVX-512 kernels: exp on 16 lanes (a 16-entry table of 2^(j/16) and a cubic), log1p on
 * [0, 1], and lane masks. Include only from src/avx512 (the only files built with -mavx512*). Pure functions;
 * thread-safe. */
#ifndef E4J_AVX512_MATH_H
#define E4J_AVX512_MATH_H

#include <immintrin.h>
#include <stdint.h>

/* exp(x), ~2 ulp, for x in [-87.33, 88]: x = (k/16)*ln2 + r with k = round(16x/ln2) (the shifter 1.5*2^23 leaves k in
 * the low bits of kb), |r| <= ln2/32, ln2/16 in two parts; exp(r) by its Taylor polynomial to r^3 (the remainder is
 * < 1e-8 relative); 2^(k/16) = 2^(j/16) * 2^(k>>4), j = k & 15, built in the integer lanes: a 16-entry table (vpermd
 * reads the low 4 bits of kb) holds the bits of 2^(j/16) less j<<19, and kb<<19 adds j<<19 + (k>>4)<<23. Six
 * multiply-adds and one multiply (no vrndscaleps or vscalefps: the rest runs in the adder and integer pipes); it rounds
 * differently from the AVX2 exp, within the conformance tests' tolerance. exp(0) is exactly 1. */
static inline __m512 e4j_exp512(__m512 x) {
    const __m512 shifter = _mm512_set1_ps(12582912.0f);
    const __m512 kb = _mm512_fmadd_ps(x, _mm512_set1_ps(23.0831206542234f), shifter);
    const __m512 k = _mm512_sub_ps(kb, shifter);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.0433349609375f), x); /* 0.693359375 / 16: k * it is exact */
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-1.32621525e-5f), r);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 6.0f), r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    const __m512i tab = _mm512_setr_epi32(0x3f800000, 0x3f7daac3, 0x3f7b95c2, 0x3f79c3d3, 0x3f7837f0, 0x3f76f532,
                                          0x3f75fed7, 0x3f75583f, 0x3f7504f3, 0x3f7508a4, 0x3f75672a, 0x3f76248c,
                                          0x3f7744fd, 0x3f78ccdf, 0x3f7ac0c7, 0x3f7d257d);
    const __m512i kbi = _mm512_castps_si512(kb);
    const __m512i sc = _mm512_add_epi32(_mm512_permutexvar_epi32(kbi, tab), _mm512_slli_epi32(kbi, 19));
    return _mm512_mul_ps(p, _mm512_castsi512_ps(sc));
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
