/* FP32 GEMM on the GPU: C(M,N) = alpha * op(A)(M,K) @ op(B)(K,N) + beta * C, row-major.
 *
 * Must match e4j_gemm (embed4j.h) to float32 rounding (different summation order; beta == 0 never reads C,
 * so NaN in C does not leak). Classic SIMT design: 128x128 block tile, k-step 8, 256 threads each owning an
 * 8x8 register block (two 4-wide column and row strips, so shared-memory reads are conflict-free float4),
 * global tiles prefetched into registers while the previous tile is multiplied, shared memory double-buffered
 * (one barrier per k-step). Loads are scalar and bounds-checked, so any lda/ldb/ldc, transpose and alignment
 * works. Deterministic (fixed order per output element). Thread-safe per stream. */
#include "internal.cuh"

namespace {

constexpr int BM = 128, BN = 128, BK = 8, kThreads = 256;

__global__ void __launch_bounds__(kThreads, 2)
    gemm_kernel(int32_t ta, int32_t tb, int64_t M, int64_t N, int64_t K, float alpha, const float *__restrict__ A,
                int64_t lda, const float *__restrict__ B, int64_t ldb, float beta, float *__restrict__ C, int64_t ldc,
                bool vec_a, bool vec_b) {
    /* Rows padded by 4 floats: the transposing stores of A hit distinct banks; float4 reads stay aligned. */
    __shared__ __align__(16) float As[2][BK][BM + 4];
    __shared__ __align__(16) float Bs[2][BK][BN + 4];
    const int t = threadIdx.x;
    const int tx = t & 15, ty = t >> 4;
    const int64_t m0 = (int64_t)blockIdx.y * BM, n0 = (int64_t)blockIdx.x * BN;
    /* 16-byte global loads when the leading dimension and base allow them (checked on the host). */
    const bool va = vec_a, vb = vec_b;

    /* Each thread loads 4 consecutive elements of A and of B per k-step, along the stored rows:
     * A (M,K): row m = t/2, k = (t%2)*4..+3; A (K,M): row k = t/32, m = (t%32)*4..+3; B likewise. */
    const int a_r = ta ? t >> 5 : t >> 1, a_c = ta ? (t & 31) * 4 : (t & 1) * 4;
    const int b_r = tb ? t >> 1 : t >> 5, b_c = tb ? (t & 1) * 4 : (t & 31) * 4;
    float ra[4], rb[4];
    auto load4 = [](float r[4], const float *__restrict__ P, int64_t ld, int64_t row, int64_t col, int64_t rows,
                    int64_t cols, bool vec) {
        if (vec && row < rows && col + 3 < cols) {
            float4 x = *reinterpret_cast<const float4 *>(P + row * ld + col);
            r[0] = x.x;
            r[1] = x.y;
            r[2] = x.z;
            r[3] = x.w;
        } else {
#pragma unroll
            for (int i = 0; i < 4; i++) r[i] = (row < rows && col + i < cols) ? P[row * ld + col + i] : 0.f;
        }
    };
    auto load = [&](int64_t k0) {
        if (!ta)
            load4(ra, A, lda, m0 + a_r, k0 + a_c, M, K, va);
        else
            load4(ra, A, lda, k0 + a_r, m0 + a_c, K, M, va);
        if (!tb)
            load4(rb, B, ldb, k0 + b_r, n0 + b_c, K, N, vb);
        else
            load4(rb, B, ldb, n0 + b_r, k0 + b_c, N, K, vb);
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            if (!ta)
                As[buf][a_c + i][a_r] = ra[i];
            else
                As[buf][a_r][a_c + i] = ra[i];
            if (!tb)
                Bs[buf][b_r][b_c + i] = rb[i];
            else
                Bs[buf][b_c + i][b_r] = rb[i];
        }
    };

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.f;

    const int64_t nk = (K + BK - 1) / BK;
    if (nk > 0) {
        load(0);
        store(0);
    }
    __syncthreads();
    for (int64_t kt = 0; kt < nk; kt++) {
        const int cur = (int)(kt & 1);
        if (kt + 1 < nk) load((kt + 1) * BK);
#pragma unroll
        for (int k = 0; k < BK; k++) {
            float a[8], b[8];
            float4 a0 = *reinterpret_cast<const float4 *>(&As[cur][k][ty * 4]);
            float4 a1 = *reinterpret_cast<const float4 *>(&As[cur][k][64 + ty * 4]);
            float4 b0 = *reinterpret_cast<const float4 *>(&Bs[cur][k][tx * 4]);
            float4 b1 = *reinterpret_cast<const float4 *>(&Bs[cur][k][64 + tx * 4]);
            a[0] = a0.x;
            a[1] = a0.y;
            a[2] = a0.z;
            a[3] = a0.w;
            a[4] = a1.x;
            a[5] = a1.y;
            a[6] = a1.z;
            a[7] = a1.w;
            b[0] = b0.x;
            b[1] = b0.y;
            b[2] = b0.z;
            b[3] = b0.w;
            b[4] = b1.x;
            b[5] = b1.y;
            b[6] = b1.z;
            b[7] = b1.w;
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (kt + 1 < nk) store(cur ^ 1);
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < 8; i++) {
        int64_t m = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4));
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int64_t n = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + (j - 4));
            if (n >= N) continue;
            float *c = C + m * ldc + n;
            *c = beta == 0.f ? alpha * acc[i][j] : fmaf(alpha, acc[i][j], beta * *c);
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_gemm_cuda(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K,
                                            float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                                            float beta, float *C, int64_t ldc, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (M < 0 || N < 0 || K < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative gemm size M=%lld N=%lld K=%lld", (long long)M,
                             (long long)N, (long long)K);
    if (lda < (trans_a ? M : K) || ldb < (trans_b ? K : N) || ldc < N)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "leading dimensions too small: lda=%lld ldb=%lld ldc=%lld",
                             (long long)lda, (long long)ldb, (long long)ldc);
    if (M == 0 || N == 0) return E4J_OK;
    if ((M + BM - 1) / BM > 65535)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "gemm_cuda supports M <= %d, got %lld", 65535 * BM,
                             (long long)M);
    dim3 grid((unsigned)((N + BN - 1) / BN), (unsigned)((M + BM - 1) / BM));
    const bool va = lda % 4 == 0 && e4j_aligned16(A), vb = ldb % 4 == 0 && e4j_aligned16(B);
    gemm_kernel<<<grid, kThreads, 0, st->stream>>>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, va,
                                                   vb);
    return e4j_cuda_launched("gemm_cuda");
}
