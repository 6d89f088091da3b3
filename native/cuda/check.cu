/* Validation passes for the Java backend's strict mode: read the data, write nothing but the stream's error record.
 *
 *   check_indices:  every idx[j] in [0, V)
 *   check_offsets:  offsets[0] == 0, offsets[b] <= offsets[b+1], offsets[B] == N
 *   check_logits:   every logit finite, every target in [0, K) or ignore_index
 *
 * The kernels of the other files check the same things as they go, but by then they have written part of their
 * output; run one of these and synchronise first, and a failing call leaves every output untouched, as on the
 * CPU backends (embed4j.h). The error names a position and value (one of the bad ones when there are several).
 * Thread-safe per stream. */
#include <math.h>

#include "internal.cuh"

namespace {

constexpr int kThreads = 256;

__global__ void check_indices_kernel(const void *__restrict__ idx, int32_t type, int64_t N, int64_t V,
                                     e4j_dev_error *err) {
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < N; j += (int64_t)gridDim.x * blockDim.x) {
        const int64_t v = e4j_load_index(idx, type, j);
        if (v < 0 || v >= V) e4j_report(err, E4J_ERR_INDEX, K_CHECK, j, v, V);
    }
}

__global__ void check_offsets_kernel(const int64_t *__restrict__ offsets, int64_t B, int64_t N, e4j_dev_error *err) {
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; b <= B; b += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = offsets[b];
        const bool bad = (b == 0 && o != 0) || (b == B && o != N) || (b > 0 && o < offsets[b - 1]) || o < 0 || o > N;
        if (bad) e4j_report(err, E4J_ERR_INVALID_ARGUMENT, K_BAG_OFFSETS, b, o, N);
    }
}

__global__ void check_logits_kernel(const float *__restrict__ logits, const int64_t *__restrict__ targets,
                                    int64_t ignore, int64_t B, int64_t K, e4j_dev_error *err) {
    const int64_t total = B * K;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        if (!isfinite(logits[e])) e4j_report(err, E4J_ERR_INVALID_ARGUMENT, K_XENT_NAN, e / K, e % K, K);
        if (e < B) {
            const int64_t t = targets[e];
            if (t != ignore && (t < 0 || t >= K)) e4j_report(err, E4J_ERR_INDEX, K_XENT_TARGET, e, t, K);
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_check_indices_cuda(const void *idx, int32_t idx_type, int64_t N, int64_t V,
                                                     e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(e4j_check_index_type(idx_type));
    if (N <= 0) return E4J_OK;
    check_indices_kernel<<<e4j_blocks(N, kThreads), kThreads, 0, st->stream>>>(idx, idx_type, N, V, st->d_err);
    return e4j_cuda_launched("check_indices_cuda");
}

extern "C" E4J_API e4j_status e4j_check_offsets_cuda(const int64_t *offsets, int64_t B, int64_t N,
                                                     e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (B < 0) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative B=%lld", (long long)B);
    check_offsets_kernel<<<e4j_blocks(B + 1, kThreads), kThreads, 0, st->stream>>>(offsets, B, N, st->d_err);
    return e4j_cuda_launched("check_offsets_cuda");
}

extern "C" E4J_API e4j_status e4j_check_logits_cuda(const float *logits, const int64_t *targets, int64_t ignore_index,
                                                    int64_t B, int64_t K, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (B <= 0 || K <= 0) return E4J_OK;
    int64_t work = B * K > B ? B * K : B;
    check_logits_kernel<<<e4j_blocks(work, kThreads), kThreads, 0, st->stream>>>(logits, targets, ignore_index, B, K,
                                                                                 st->d_err);
    return e4j_cuda_launched("check_logits_cuda");
}
