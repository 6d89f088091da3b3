/* gemm_ref.c — scalar reference GEMM: the specification every fast path is tested against.
 *
 *   C[i,j] = alpha * Σ_k op(A)[i,k] * op(B)[k,j] + beta * C[i,j]      (beta == 0: C[i,j] is not read)
 *
 * op(A)[i,k] = trans_a ? A[k*lda + i] : A[i*lda + k];  op(B)[k,j] = trans_b ? B[j*ldb + k] : B[k*ldb + j].
 * The sum runs over k in increasing order in double precision and is rounded once, so this path is
 * deterministic and at least as accurate as any blocked float path. Simple on purpose: it is the
 * kernel level 0 (no AVX2) and the reading of what gemm means, not a fast path.
 * Thread-safe: no state; writes only C.
 */
#include "kernels.h"

void e4j_gemm_ref(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    /* element strides of op(A) along i and k, of op(B) along k and j */
    const int64_t a_i = trans_a ? 1 : lda, a_k = trans_a ? lda : 1;
    const int64_t b_k = trans_b ? 1 : ldb, b_j = trans_b ? ldb : 1;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            const float *a = A + i * a_i, *b = B + j * b_j;
            double s = 0.0;
            for (int64_t k = 0; k < K; k++) s += (double)a[k * a_k] * (double)b[k * b_k];
            float *c = C + i * ldc + j;
            double v = (double)alpha * s;
            if (beta != 0.0f) v += (double)beta * (double)*c;
            *c = (float)v;
        }
    }
}
