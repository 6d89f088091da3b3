/* Small dense kernels on the GPU: fill, axpy, scale, mul, bias add, bias backward, ReLU forward/backward.
 *
 *   fill x = v; axpy y += a x; scale x *= a; mul out = a * b; bias x[b,k] += bias[k];
 *   bias_backward dbias[k] += Σ_b dout[b,k]; relu out = max(in, 0); relu_backward din = out > 0 ? dout : 0
 *
 * Must match the Java backend's memory ops and e4j_bias_* / e4j_relu_* (embed4j.h). bias_backward reduces each
 * column in a fixed tree (8 row strides, then a fixed-order combine): deterministic, equal to the sequential
 * C sum up to float32 rounding. ReLU propagates NaN as PyTorch does. Thread-safe per stream. */
#include "internal.cuh"

namespace {

constexpr int kThreads = 256;

#define E4J_GRID_LOOP(i, n) \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

__global__ void fill_kernel(float *x, float v, int64_t n) { E4J_GRID_LOOP(i, n) x[i] = v; }
__global__ void axpy_kernel(float *y, float a, const float *x, int64_t n) {
    E4J_GRID_LOOP(i, n) y[i] = fmaf(a, x[i], y[i]);
}
__global__ void scale_kernel(float *x, float a, int64_t n) { E4J_GRID_LOOP(i, n) x[i] *= a; }
__global__ void mul_kernel(float *out, const float *a, const float *b, int64_t n) {
    E4J_GRID_LOOP(i, n) out[i] = a[i] * b[i];
}
__global__ void bias_add_kernel(float *x, const float *bias, int64_t B, int64_t K) {
    E4J_GRID_LOOP(i, B * K) x[i] += bias[i % K];
}
__global__ void relu_kernel(float *out, const float *in, int64_t n) {
    E4J_GRID_LOOP(i, n) {
        float v = in[i];
        out[i] = v > 0.f || v != v ? v : 0.f;
    }
}
__global__ void relu_backward_kernel(float *din, const float *dout, const float *out, int64_t n) {
    E4J_GRID_LOOP(i, n) din[i] = out[i] > 0.f ? dout[i] : 0.f;
}

/* Block (32 columns x 8 row lanes): each row lane sums rows r = ty, ty+8, ...; then lanes combine in order. */
__global__ void bias_backward_kernel(float *dbias, const float *dout, int64_t B, int64_t K) {
    __shared__ float part[8][33];
    const int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    const int64_t k = (int64_t)blockIdx.x * 32 + tx;
    float acc = 0.f;
    if (k < K)
        for (int64_t b = ty; b < B; b += 8) acc += dout[b * K + k];
    part[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && k < K) {
        float s = part[0][tx];
        for (int i = 1; i < 8; i++) s += part[i][tx];
        dbias[k] += s;
    }
}

e4j_status check_n(int64_t n) {
    if (n < 0) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative element count %lld", (long long)n);
    return E4J_OK;
}

} // namespace

extern "C" {

E4J_API e4j_status e4j_fill_cuda(float *x, float value, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    fill_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(x, value, n);
    return e4j_cuda_launched("fill_cuda");
}

E4J_API e4j_status e4j_axpy_cuda(float *y, float alpha, const float *x, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    axpy_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(y, alpha, x, n);
    return e4j_cuda_launched("axpy_cuda");
}

E4J_API e4j_status e4j_scale_cuda(float *x, float alpha, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    scale_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(x, alpha, n);
    return e4j_cuda_launched("scale_cuda");
}

E4J_API e4j_status e4j_mul_cuda(float *out, const float *a, const float *b, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    mul_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(out, a, b, n);
    return e4j_cuda_launched("mul_cuda");
}

E4J_API e4j_status e4j_bias_add_cuda(float *x, const float *bias, int64_t B, int64_t K, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (B < 0 || K < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size B=%lld K=%lld", (long long)B, (long long)K);
    if (B == 0 || K == 0) return E4J_OK;
    bias_add_kernel<<<e4j_blocks(B * K, kThreads), kThreads, 0, st->stream>>>(x, bias, B, K);
    return e4j_cuda_launched("bias_add_cuda");
}

E4J_API e4j_status e4j_bias_backward_cuda(float *dbias, const float *dout, int64_t B, int64_t K, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (B < 0 || K < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size B=%lld K=%lld", (long long)B, (long long)K);
    if (B == 0 || K == 0) return E4J_OK;
    bias_backward_kernel<<<(unsigned)((K + 31) / 32), kThreads, 0, st->stream>>>(dbias, dout, B, K);
    return e4j_cuda_launched("bias_backward_cuda");
}

E4J_API e4j_status e4j_relu_forward_cuda(float *out, const float *in, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    relu_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(out, in, n);
    return e4j_cuda_launched("relu_forward_cuda");
}

E4J_API e4j_status e4j_relu_backward_cuda(float *din, const float *dout, const float *out, int64_t n,
                                          e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_n(n));
    if (n == 0) return E4J_OK;
    relu_backward_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(din, dout, out, n);
    return e4j_cuda_launched("relu_backward_cuda");
}

} /* extern "C" */
