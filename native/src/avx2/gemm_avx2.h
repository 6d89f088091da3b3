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

typedef struct gemm_job {
    int32_t ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int64_t lda, ldb, ldc;
    int32_t split_m; /* threads get MR-row units (1) or NR-column units (0) */
} gemm_job;

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
