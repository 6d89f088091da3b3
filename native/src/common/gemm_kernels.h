/* gemm_kernels.h — the GEMM implementations behind e4j_gemm (gemm.c); private, not part of the ABI.
 *
 * Both compute C = alpha·op(A)·op(B) + beta·C, row-major, with the arguments already checked by
 * e4j_gemm: 0 < M, N, K; leading dimensions valid; alpha != 0. beta == 0: C is never read.
 * Shapes: op(A) (M,K), op(B) (K,N), C (M,N); A stored (M,K) or, when trans_a, (K,M); B stored (K,N)
 * or, when trans_b, (N,K).
 */
#ifndef E4J_GEMM_KERNELS_H
#define E4J_GEMM_KERNELS_H
#include <stdint.h>

/* Scalar reference (gemm_ref.c): the specification. Single-threaded, double accumulation. */
void e4j_gemm_ref(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K,
                  float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                  float beta, float *C, int64_t ldc);

/* AVX2+FMA (gemm_avx2.c): packed panels, 6x16 register-blocked micro-kernel, e4j_threads threads. */
void e4j_gemm_avx2(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K,
                   float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                   float beta, float *C, int64_t ldc);

/* ---- AVX2 internals shared by gemm_avx2.c and gemm_pack_avx2.c */
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

/* e4j_parallel_for's contract on persistent workers (gemm_threads.c): for back-to-back calls. */
typedef void (*e4j_gemm_range_fn)(void *ctx, int64_t begin, int64_t end);
void e4j_gemm_parallel_for(int64_t n, int64_t grain, e4j_gemm_range_fn fn, void *ctx);

#endif
