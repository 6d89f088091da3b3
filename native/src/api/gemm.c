/* gemm.c — e4j_gemm, the exported entry: argument checks, trivial cases, then the level's gemm primitive.
 *
 *   C (M,N) = alpha · op(A) (M,K) · op(B) (K,N) + beta · C      row-major, leading dimensions lda/ldb/ldc
 *
 * A is stored (M,K), or (K,M) when trans_a; B is stored (K,N), or (N,K) when trans_b. beta == 0 means C is
 * write-only (NaN/Inf already in C never propagate), like BLAS. K == 0 or alpha == 0: C = beta·C.
 * C must not overlap A or B. Level 0 runs the scalar reference (ref/gemm_ref.c, the spec); level 1 the AVX2
 * kernel (avx2/gemm_avx2.c), which is tested against it. Results of the AVX2 path do not depend on the
 * thread count (each C element is summed by one thread in the same blocked order).
 * Thread-safe: concurrent calls with disjoint C are fine.
 */
#include "kernels.h"

/* Largest element offset touched in a matrix of `rows` rows of `cols` used columns, stride ld; -1 on overflow. */
static int64_t extent(int64_t rows, int64_t cols, int64_t ld) {
    if (rows > (INT64_MAX - cols) / ld) return -1;
    return (rows - 1) * ld + cols;
}

static e4j_status check_args(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, const float *A,
                             int64_t lda, const float *B, int64_t ldb, const float *C, int64_t ldc) {
    if (trans_a != 0 && trans_a != 1)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: trans_a must be 0 or 1, got %d", trans_a);
    if (trans_b != 0 && trans_b != 1)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: trans_b must be 0 or 1, got %d", trans_b);
    if (M < 0 || N < 0 || K < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: sizes must be >= 0, got M=%lld N=%lld K=%lld", (long long)M,
                        (long long)N, (long long)K);
    /* stored shapes: rows x cols with row stride ld */
    int64_t a_rows = trans_a ? K : M, a_cols = trans_a ? M : K;
    int64_t b_rows = trans_b ? N : K, b_cols = trans_b ? K : N;
    if (lda < (a_cols > 1 ? a_cols : 1))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: lda=%lld is smaller than the %lld columns of A (trans_a=%d)",
                        (long long)lda, (long long)a_cols, trans_a);
    if (ldb < (b_cols > 1 ? b_cols : 1))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: ldb=%lld is smaller than the %lld columns of B (trans_b=%d)",
                        (long long)ldb, (long long)b_cols, trans_b);
    if (ldc < (N > 1 ? N : 1))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: ldc=%lld is smaller than N=%lld", (long long)ldc,
                        (long long)N);
    if (M == 0 || N == 0) return E4J_OK;
    if (C == NULL)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: C is NULL with M=%lld N=%lld", (long long)M, (long long)N);
    if (extent(M, N, ldc) < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: C of %lld rows, ldc=%lld overflows", (long long)M,
                        (long long)ldc);
    if (K == 0) return E4J_OK;
    if (A == NULL || B == NULL)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: A or B is NULL with K=%lld", (long long)K);
    if (extent(a_rows, a_cols, lda) < 0 || extent(b_rows, b_cols, ldb) < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "gemm: A or B extent overflows (lda=%lld, ldb=%lld)", (long long)lda,
                        (long long)ldb);
    return E4J_OK;
}

/* C = beta·C; beta == 0 writes zeros without reading (BLAS semantics). */
static void scale_c(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f)
            for (int64_t j = 0; j < N; j++) c[j] = 0.0f;
        else if (beta != 1.0f)
            for (int64_t j = 0; j < N; j++) c[j] *= beta;
    }
}

E4J_API e4j_status e4j_gemm(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                            int64_t ldc) {
    e4j_status st = check_args(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc);
    if (st != E4J_OK || M == 0 || N == 0) return st;
    if (K == 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        return E4J_OK;
    }
    e4j_prims_get()->gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return E4J_OK;
}
