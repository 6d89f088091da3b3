/* Embedding forward on the GPU: gather and embedding_bag (sum / mean / max, per_sample_weights).
 *
 *   gather:  out[n,:] = W[idx[n],:]                          bit-exact copy
 *   bag:     out[b,:] = reduce_{j in bag b, idx[j] != pad} W[idx[j],:] (* psw[j])
 *
 * Must match e4j_gather_forward / e4j_embedding_bag_forward (embed4j.h): bags are reduced in position
 * order (j ascending), so sums are deterministic and equal to the scalar C reference up to its own order;
 * max keeps the first j reaching the maximum. Layout: one warp per row (gather, D >= 32 after
 * vectorisation) or per bag, lanes across D with 16-byte loads when every pointer and D allow it; tiny D
 * uses a flat thread-per-element gather. An out-of-range index writes zeros for that row and sets the
 * stream's error record (reported at the next synchronisation). Stateless; thread-safe per stream. */
#include "internal.cuh"

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

/* One warp per group of 4 rows; T is float4 (vector path) or float. Dt = D in units of T. */
template <typename T>
__global__ void gather_warp(T *__restrict__ out, const T *__restrict__ W, const void *__restrict__ idx, int32_t type,
                            int64_t N, int64_t V, int64_t Dt, e4j_dev_error *err) {
    const int lane = threadIdx.x & 31;
    const int64_t warp = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5);
    const int64_t nwarps = (int64_t)gridDim.x * kWarps;
    for (int64_t r0 = warp * 4; r0 < N; r0 += nwarps * 4) {
        int64_t row[4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int64_t n = r0 + i;
            row[i] = -1;
            if (n < N) {
                int64_t v = e4j_load_index(idx, type, n);
                if (v < 0 || v >= V) {
                    if (lane == 0) e4j_report(err, E4J_ERR_INDEX, K_GATHER, n, v, V);
                    v = -2;
                }
                row[i] = v;
            }
        }
        for (int64_t c = lane; c < Dt; c += 32) {
            T val[4];
#pragma unroll
            for (int i = 0; i < 4; i++)
                if (row[i] >= 0) val[i] = W[row[i] * Dt + c];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                if (row[i] == -1) continue;
                if (row[i] == -2) {
                    T z;
                    memset(&z, 0, sizeof z);
                    out[(r0 + i) * Dt + c] = z;
                } else {
                    out[(r0 + i) * Dt + c] = val[i];
                }
            }
        }
    }
}

/* Thread per element, for rows narrower than a warp. */
template <typename T>
__global__ void gather_flat(T *__restrict__ out, const T *__restrict__ W, const void *__restrict__ idx, int32_t type,
                            int64_t N, int64_t V, int64_t Dt, e4j_dev_error *err) {
    const int64_t total = N * Dt;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t n = e / Dt, c = e - n * Dt;
        int64_t v = e4j_load_index(idx, type, n);
        if (v < 0 || v >= V) {
            if (c == 0) e4j_report(err, E4J_ERR_INDEX, K_GATHER, n, v, V);
            T z;
            memset(&z, 0, sizeof z);
            out[e] = z;
        } else {
            out[e] = W[v * Dt + c];
        }
    }
}

/* One warp per bag. VEC: 4 consecutive columns per lane step (16-byte loads). */
template <bool VEC>
__global__ void bag_forward(float *__restrict__ out, int64_t *__restrict__ argmax, const float *__restrict__ W,
                            const void *__restrict__ idx, int32_t type, const int64_t *__restrict__ offsets,
                            const float *__restrict__ psw, int32_t mode, int64_t pad, int64_t N, int64_t B, int64_t V,
                            int64_t D, e4j_dev_error *err) {
    const int lane = threadIdx.x & 31;
    const int64_t warp = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5);
    const int64_t nwarps = (int64_t)gridDim.x * kWarps;
    constexpr int W4 = VEC ? 4 : 1;
    for (int64_t b = warp; b < B; b += nwarps) {
        int64_t start = offsets[b], end = offsets[b + 1];
        if (start < 0 || end < start || end > N) {
            if (lane == 0) e4j_report(err, E4J_ERR_INVALID_ARGUMENT, K_BAG_OFFSETS, b + 1, end, N);
            start = end = 0;
        }
        for (int64_t c0 = (int64_t)lane * W4; c0 < D; c0 += 32 * W4) {
            float acc[W4];
            int64_t am[W4];
#pragma unroll
            for (int q = 0; q < W4; q++) {
                acc[q] = 0.f;
                am[q] = -1;
            }
            int64_t count = 0;
            /* Four positions per step: their index and row loads are issued before any is used. */
            for (int64_t j0 = start; j0 < end; j0 += 4) {
                int64_t v[4];
                bool ok[4];
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    const int64_t j = j0 + i;
                    ok[i] = false;
                    v[i] = 0;
                    if (j < end) {
                        v[i] = e4j_load_index(idx, type, j);
                        if (v[i] != pad) {
                            if (v[i] < 0 || v[i] >= V) {
                                if (c0 == (int64_t)lane * W4 && lane == 0)
                                    e4j_report(err, E4J_ERR_INDEX, K_BAG, j, v[i], V);
                            } else {
                                ok[i] = true;
                            }
                        }
                    }
                }
                float w[4][W4];
                float s[4];
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    if (!ok[i]) continue;
                    if constexpr (VEC) {
                        float4 t = *reinterpret_cast<const float4 *>(W + v[i] * D + c0);
                        w[i][0] = t.x;
                        w[i][1] = t.y;
                        w[i][2] = t.z;
                        w[i][3] = t.w;
                    } else {
                        w[i][0] = W[v[i] * D + c0];
                    }
                    s[i] = psw != NULL ? psw[j0 + i] : 1.f;
                }
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    if (!ok[i]) continue;
                    if (mode == E4J_BAG_MAX) {
#pragma unroll
                        for (int q = 0; q < W4; q++)
                            if (count == 0 || w[i][q] > acc[q]) {
                                acc[q] = w[i][q];
                                am[q] = j0 + i;
                            }
                    } else if (psw != NULL) {
#pragma unroll
                        for (int q = 0; q < W4; q++) acc[q] = fmaf(w[i][q], s[i], acc[q]);
                    } else {
#pragma unroll
                        for (int q = 0; q < W4; q++) acc[q] += w[i][q];
                    }
                    count++;
                }
            }
            if (mode == E4J_BAG_MEAN && count > 0) {
#pragma unroll
                for (int q = 0; q < W4; q++) acc[q] = acc[q] / (float)count;
            }
#pragma unroll
            for (int q = 0; q < W4; q++) {
                out[b * D + c0 + q] = acc[q];
                if (mode == E4J_BAG_MAX && argmax != NULL) argmax[b * D + c0 + q] = am[q];
            }
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_gather_forward_cuda(float *out, const float *W, const void *idx, int32_t idx_type,
                                                      int64_t N, int64_t V, int64_t D, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(e4j_check_index_type(idx_type));
    if (N < 0 || V < 0 || D < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size N=%lld V=%lld D=%lld", (long long)N, (long long)V,
                             (long long)D);
    if (N == 0 || D == 0) return E4J_OK;
    bool vec = D % 4 == 0 && e4j_aligned16(out) && e4j_aligned16(W);
    int64_t Dt = vec ? D / 4 : D;
    if (Dt >= 32) {
        int blocks = e4j_blocks((N + 3) / 4, kWarps);
        if (vec)
            gather_warp<float4><<<blocks, kThreads, 0, st->stream>>>((float4 *)out, (const float4 *)W, idx, idx_type, N,
                                                                     V, Dt, st->d_err);
        else
            gather_warp<float><<<blocks, kThreads, 0, st->stream>>>(out, W, idx, idx_type, N, V, Dt, st->d_err);
    } else {
        int blocks = e4j_blocks(N * Dt, kThreads);
        if (vec)
            gather_flat<float4><<<blocks, kThreads, 0, st->stream>>>((float4 *)out, (const float4 *)W, idx, idx_type, N,
                                                                     V, Dt, st->d_err);
        else
            gather_flat<float><<<blocks, kThreads, 0, st->stream>>>(out, W, idx, idx_type, N, V, Dt, st->d_err);
    }
    return e4j_cuda_launched("gather_forward_cuda");
}

extern "C" E4J_API e4j_status e4j_embedding_bag_forward_cuda(float *out, int64_t *argmax, const float *W,
                                                             const void *idx, int32_t idx_type, const int64_t *offsets,
                                                             const float *psw, int32_t mode, int64_t padding_idx,
                                                             int64_t N, int64_t B, int64_t V, int64_t D,
                                                             e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(e4j_check_index_type(idx_type));
    if (mode < 0 || mode > 2) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "bag mode must be 0..2, got %d", mode);
    if (psw != NULL && mode != E4J_BAG_SUM)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "per_sample_weights need mode sum, got mode %d", mode);
    if (N < 0 || B < 0 || V < 0 || D < 0) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size");
    if (B == 0 || D == 0) return E4J_OK;
    bool vec = D % 4 == 0 && e4j_aligned16(out) && e4j_aligned16(W);
    int blocks = e4j_blocks(B, kWarps);
    if (vec)
        bag_forward<true><<<blocks, kThreads, 0, st->stream>>>(out, argmax, W, idx, idx_type, offsets, psw, mode,
                                                               padding_idx, N, B, V, D, st->d_err);
    else
        bag_forward<false><<<blocks, kThreads, 0, st->stream>>>(out, argmax, W, idx, idx_type, offsets, psw, mode,
                                                                padding_idx, N, B, V, D, st->d_err);
    return e4j_cuda_launched("embedding_bag_forward_cuda");
}
