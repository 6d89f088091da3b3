/* gemm_avx512.c — level 2 GEMM: gemm_avx2.c's loop nest, packing, thin-shape kernels and edge tiles, with the full
 * packed tiles taken two 6-row A panels at a time by a 12 x 16 micro-kernel: 12 zmm accumulators (one per row), one
 * B load and 12 FMAs with a broadcast A operand per k, instead of 2 loads, 6 broadcasts and 12 FMAs for half as many
 * products. Each C element is the same FMA chain in k order from +0, scaled by alpha (and beta·C added) exactly as
 * in the 6 x 16 tile, so level 2 is bit-identical to level 1 and to itself on any thread count. */
#include "../avx2/gemm_avx2.h"

#include <immintrin.h>

#define MR E4J_GEMM_MR
#define NR E4J_GEMM_NR

static void tile_12x16(int64_t kc, const float *a0, const float *a1, const float *b, float *c, int64_t ldc, float alpha,
                       float beta) {
    __m512 acc[2 * MR];
    for (int r = 0; r < 2 * MR; r++) acc[r] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; k++) {
        const __m512 bv = _mm512_load_ps(b + k * NR);
        for (int r = 0; r < MR; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a0[k * MR + r]), bv, acc[r]);
        for (int r = 0; r < MR; r++) acc[MR + r] = _mm512_fmadd_ps(_mm512_set1_ps(a1[k * MR + r]), bv, acc[MR + r]);
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < 2 * MR; r++) {
        float *cr = c + r * ldc;
        if (beta == 0.0f)
            _mm512_storeu_ps(cr, _mm512_mul_ps(va, acc[r]));
        else if (beta == 1.0f)
            _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, acc[r], _mm512_loadu_ps(cr)));
        else
            _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, acc[r], _mm512_mul_ps(vb, _mm512_loadu_ps(cr))));
    }
}

void e4j_gemm_avx512(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                     int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    e4j_gemm_run(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, tile_12x16);
}
