/* gemm_avx2.h — internals shared by the AVX2 GEMM files (gemm_avx2.c, gemm_pack_avx2.c, gemm_thin_avx2.c);
 * private, not part of the ABI. The entry is the gemm primitive of kernels.h (e4j_gemm_avx2), called by
 * e4j_gemm (api/gemm.c) with the arguments already checked: 0 < M, N, K; leading dimensions valid; alpha != 0;
 * beta == 0: C is never read. Shapes: op(A) (M,K), op(B) (K,N), C (M,N); A stored (M,K) or, when trans_a,
 * (K,M); B stored (K,N) or, when trans_b, (N,K).
 */
#ifndef E4J_GEMM_AVX2_H
#define E4J_GEMM_AVX2_H
#include "kernels.h"

#define E4J_GEMM_MR 6  /* micro-tile rows */
#define E4J_GEMM_NR 16 /* micro-tile columns: two ymm */

/* A 12 x 16 tile of C from two consecutive packed A panels (rows 0..5 at a0, 6..11 at a1, layout k*MR + r) and
 * one packed B panel (k*NR + c), with gemm_avx2.c's tile arithmetic per element: FMAs in k order from +0, then
 * alpha·acc (+ beta·c as there), so the result is bit-identical to two 6 x 16 tiles. Level 2 supplies one
 * (avx512/gemm_avx512.c); NULL at level 1. */
typedef void (*gemm_tile12_fn)(int64_t kc, const float *a0, const float *a1, const float *b, float *c, int64_t ldc,
                               float alpha, float beta);

typedef struct gemm_job {
    int32_t ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int64_t lda, ldb, ldc;
    int32_t split_m;       /* threads get MR-row units (1) or NR-column units (0) */
    gemm_tile12_fn tile12; /* or NULL */
} gemm_job;

/* e4j_gemm_avx2 with a 12 x 16 tile for the full packed tiles (tile12 != NULL) */
void e4j_gemm_run(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc, gemm_tile12_fn tile12);

/* op(A)[i0.., p0..] (mc x kc) -> ceil(mc/MR) panels: dst[panel*kc*MR + k*MR + r], rows past mc zero. */
void e4j_gemm_pack_a(const gemm_job *j, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float *dst);
/* op(B)[p0.., j0..] (kc x nc) -> ceil(nc/NR) panels: dst[panel*kc*NR + k*NR + c], columns past nc zero. */
void e4j_gemm_pack_b(const gemm_job *j, int64_t j0, int64_t nc, int64_t p0, int64_t kc, float *dst);

/* Thin shapes (gemm_thin_avx2.c), each on a range of C's rows or columns. */
#define E4J_GEMM_SMALL_K_MAX 8
void e4j_gemm_dot_rows(const gemm_job *j, int64_t i0, int64_t i1); /* !ta, tb, N <= 4: rows [i0, i1) */
void e4j_gemm_few_rows(const gemm_job *j, int64_t n0, int64_t n1); /* !tb, M <= 4: columns [n0, n1) */
void e4j_gemm_small_k(const gemm_job *j, int64_t i0, int64_t i1);  /* !tb, K <= SMALL_K_MAX: rows [i0, i1) */

#endif
