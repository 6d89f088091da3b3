/* Fused softmax cross-entropy on the GPU (torch.nn.functional.cross_entropy, class-index targets).
 *
 *   lse_i = log Σ_c exp(z_ic);  w = weight or 1;  W = Σ_c w_c;  ε = label_smoothing
 *   loss_i = (1-ε) w_t (lse_i - z_it) + (ε/K) Σ_c w_c (lse_i - z_ic)       (0 for ignored rows)
 *   dz_ic  = scale [(1-ε) w_t (p_ic - [c = t]) + (ε/K)(W p_ic - w_c)],  p = softmax(z_i)
 *   scale  = 1 / Σ_{i not ignored} w_{t_i} for MEAN, 1 otherwise; loss = Σ loss_i × scale (NONE: per row)
 *
 * Must match e4j_softmax_xent (embed4j.h) and PyTorch, including MEAN with every target ignored (loss NaN,
 * gradient 0). Rows of K <= 1024 classes: one warp per row holds the row in registers (read once, one exp per
 * element, shuffle reductions). Longer rows: one block per row, an online max/sum pass (llm.c style), then the
 * gradient pass re-reads the row, which is still in L2 because the block size (1024 threads for K > 16384)
 * keeps the rows in flight well under its 60 MB. The gradient overwrites the logits in place when they alias;
 * z_t is read before any thread writes. The MEAN denominator and the summed loss are fixed two-level reductions
 * (kParts blocks, then one), so no launch needs the host. A target outside [0,K) or a non-finite logit leaves
 * that row unwritten and sets the error record. Deterministic. Thread-safe per stream. */
#include <math.h>

#include "internal.cuh"

namespace {

constexpr int kThreads = 256;

struct Partial {
    float m, s, swz;
    int bad;
};

__device__ __forceinline__ Partial merge(Partial a, Partial b) {
    Partial r;
    r.m = fmaxf(a.m, b.m);
    r.s = (a.s == 0.f ? 0.f : a.s * expf(a.m - r.m)) + (b.s == 0.f ? 0.f : b.s * expf(b.m - r.m));
    r.swz = a.swz + b.swz;
    r.bad = a.bad | b.bad;
    return r;
}

__device__ Partial block_merge(Partial p) {
    __shared__ Partial sh[32];
    __shared__ Partial total;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        Partial q;
        q.m = __shfl_xor_sync(0xffffffffu, p.m, o);
        q.s = __shfl_xor_sync(0xffffffffu, p.s, o);
        q.swz = __shfl_xor_sync(0xffffffffu, p.swz, o);
        q.bad = __shfl_xor_sync(0xffffffffu, p.bad, o);
        p = merge(p, q);
    }
    const int warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    if ((threadIdx.x & 31) == 0) sh[warp] = p;
    __syncthreads();
    if (threadIdx.x == 0) {
        Partial r = sh[0];
        for (int i = 1; i < nw; i++) r = merge(r, sh[i]);
        total = r;
    }
    __syncthreads();
    Partial r = total;
    __syncthreads();
    return r;
}

/* Deterministic block sum of one float per thread (fixed tree). */
__device__ float block_sum(float v) {
    __shared__ float sh[32];
    v = e4j_warp_sum(v);
    const int warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    if ((threadIdx.x & 31) == 0) sh[warp] = v;
    __syncthreads();
    float r = 0.f;
    if (threadIdx.x == 0)
        for (int i = 0; i < nw; i++) r += sh[i];
    __syncthreads();
    return r; /* valid in thread 0 */
}

/* The reductions over B (MEAN denominator, summed loss) and K (Σ w_c) run in two levels: kParts blocks each
 * reduce a fixed contiguous chunk, then one block adds the kParts partials in order. kParts is a constant, so
 * the result does not depend on the GPU: deterministic. One block alone would be latency-bound for large B. */
constexpr int kParts = 256;

/* part[p] = Σ w[t_i] over chunk p of the rows (targets range-checked), part[kParts + p] = Σ w_c over chunk p. */
__global__ void xent_prepare_part(float *part, const int64_t *__restrict__ targets, const float *__restrict__ weight,
                                  int64_t ignore, int64_t B, int64_t K, e4j_dev_error *err) {
    const int64_t cb = (B + kParts - 1) / kParts, ck = (K + kParts - 1) / kParts;
    const int64_t i0 = blockIdx.x * cb, i1 = i0 + cb < B ? i0 + cb : B;
    const int64_t c0 = blockIdx.x * ck, c1 = c0 + ck < K ? c0 + ck : K;
    float d = 0.f, ws = 0.f;
    for (int64_t i = i0 + threadIdx.x; i < i1; i += blockDim.x) {
        const int64_t t = targets[i];
        if (t == ignore) continue;
        if (t < 0 || t >= K) {
            e4j_report(err, E4J_ERR_INDEX, K_XENT_TARGET, i, t, K);
            continue;
        }
        d += weight ? weight[t] : 1.f;
    }
    for (int64_t c = c0 + threadIdx.x; c < c1; c += blockDim.x) ws += weight ? weight[c] : 1.f;
    d = block_sum(d);
    ws = block_sum(ws);
    if (threadIdx.x == 0) {
        part[blockIdx.x] = d;
        part[kParts + blockIdx.x] = ws;
    }
}

/* part[p] = Σ rowloss over chunk p. */
__global__ void xent_loss_part(float *part, const float *__restrict__ rowloss, int64_t B) {
    const int64_t cb = (B + kParts - 1) / kParts;
    const int64_t i0 = blockIdx.x * cb, i1 = i0 + cb < B ? i0 + cb : B;
    float s = 0.f;
    for (int64_t i = i0 + threadIdx.x; i < i1; i += blockDim.x) s += rowloss[i];
    s = block_sum(s);
    if (threadIdx.x == 0) part[blockIdx.x] = s;
}

/* mode 0: stats[0] = Σ part[0..P), stats[1] = Σ part[P..2P).  mode 1: loss = Σ part[0..P) (÷ stats[0] for MEAN). */
__global__ void xent_final(float *stats, float *loss, const float *__restrict__ part, int32_t mode, int32_t reduction) {
    float a = block_sum(threadIdx.x < kParts ? part[threadIdx.x] : 0.f);
    if (mode == 0) {
        float b = block_sum(threadIdx.x < kParts ? part[kParts + threadIdx.x] : 0.f);
        if (threadIdx.x == 0) {
            stats[0] = a;
            stats[1] = b;
        }
    } else if (threadIdx.x == 0) {
        *loss = reduction == E4J_REDUCE_MEAN ? a / stats[0] : a;
    }
}

template <int W4> __device__ __forceinline__ void load4(float v[W4], const float *p) {
    if constexpr (W4 == 4) {
        float4 t = *reinterpret_cast<const float4 *>(p);
        v[0] = t.x;
        v[1] = t.y;
        v[2] = t.z;
        v[3] = t.w;
    } else {
        v[0] = *p;
    }
}

template <int W4>
__global__ void xent_rows(float *__restrict__ rowloss, float *dlogits, const float *logits,
                          const int64_t *__restrict__ targets, const float *__restrict__ weight,
                          const float *__restrict__ stats, int64_t ignore, float eps, int32_t reduction, int64_t B,
                          int64_t K, e4j_dev_error *err) {
    const float denom = stats[0], wsum = stats[1];
    const float scale = reduction == E4J_REDUCE_MEAN ? 1.f / denom : 1.f;
    for (int64_t i = blockIdx.x; i < B; i += gridDim.x) {
        const float *z = logits + i * K;
        const int64_t t = targets[i];
        const bool ignored = t == ignore || t < 0 || t >= K;
        Partial p{-INFINITY, 0.f, 0.f, 0};
#pragma unroll 4
        for (int64_t c0 = (int64_t)threadIdx.x * W4; c0 < K; c0 += (int64_t)blockDim.x * W4) {
            float v[W4];
            load4<W4>(v, z + c0);
            /* Rescale the running sum only when the maximum grows (rare after the first elements). */
            float lm = v[0];
#pragma unroll
            for (int q = 0; q < W4; q++) {
                if (!isfinite(v[q])) p.bad = 1;
                lm = fmaxf(lm, v[q]);
            }
            if (lm > p.m) {
                p.s = p.s == 0.f ? 0.f : p.s * expf(p.m - lm);
                p.m = lm;
            }
#pragma unroll
            for (int q = 0; q < W4; q++) p.s += expf(v[q] - p.m);
            if (eps != 0.f) {
#pragma unroll
                for (int q = 0; q < W4; q++) p.swz = fmaf(weight ? weight[c0 + q] : 1.f, v[q], p.swz);
            }
        }
        /* z_t is read before the merge's barriers: with dlogits == logits other threads overwrite it after. */
        const float zt = threadIdx.x == 0 && !ignored ? z[t] : 0.f;
        p = block_merge(p);
        const float lse = p.m + logf(p.s);
        if (p.bad) {
            if (threadIdx.x == 0) {
                e4j_report(err, E4J_ERR_INVALID_ARGUMENT, K_XENT_NAN, i, -1, K);
                rowloss[i] = NAN;
            }
            continue;
        }
        const float wt = ignored ? 0.f : (weight ? weight[t] : 1.f);
        if (threadIdx.x == 0) {
            float loss = 0.f;
            if (!ignored) loss = (1.f - eps) * wt * (lse - zt) + (eps / (float)K) * (wsum * lse - p.swz);
            rowloss[i] = loss;
        }
        if (dlogits == nullptr) continue;
        float *dz = dlogits + i * K;
        const float a = scale * (1.f - eps) * wt, bsm = scale * (eps / (float)K);
#pragma unroll 4
        for (int64_t c0 = (int64_t)threadIdx.x * W4; c0 < K; c0 += (int64_t)blockDim.x * W4) {
            float v[W4];
            load4<W4>(v, z + c0);
            float o[W4];
#pragma unroll
            for (int q = 0; q < W4; q++) {
                int64_t c = c0 + q;
                if (ignored) {
                    o[q] = 0.f;
                    continue;
                }
                float pr = expf(v[q] - lse);
                float wc = weight ? weight[c] : 1.f;
                o[q] = a * (pr - (c == t ? 1.f : 0.f)) + bsm * (wsum * pr - wc);
            }
            if constexpr (W4 == 4)
                *reinterpret_cast<float4 *>(dz + c0) = make_float4(o[0], o[1], o[2], o[3]);
            else
                dz[c0] = o[0];
        }
    }
}

/* One warp per row for rows of at most 32 * 4 * NV classes: the row stays in registers, the max/sum reductions are
 * warp shuffles (no shared memory, no block barrier), and one exp per element serves loss and gradient. */
template <int NV>
__global__ void __launch_bounds__(256, 4)
    xent_rows_warp(float *__restrict__ rowloss, float *dlogits, const float *logits,
                   const int64_t *__restrict__ targets, const float *__restrict__ weight,
                   const float *__restrict__ stats, int64_t ignore, float eps, int32_t reduction, int64_t B, int64_t K,
                   e4j_dev_error *err) {
    const float denom = stats[0], wsum = stats[1];
    const float scale = reduction == E4J_REDUCE_MEAN ? 1.f / denom : 1.f;
    const int K4 = (int)(K / 4); /* <= 32 * NV */
    const int lane = threadIdx.x & 31;
    const int64_t nwarps = (int64_t)gridDim.x * (blockDim.x >> 5);
    for (int64_t i = (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5); i < B; i += nwarps) {
        const float4 *z = reinterpret_cast<const float4 *>(logits + i * K);
        const int64_t t = targets[i];
        const bool ignored = t == ignore || t < 0 || t >= K;
        /* Lane 0 reads z_t before the shuffles below: no lane writes the row before all have passed them. */
        const float zt = lane == 0 && !ignored ? logits[i * K + t] : 0.f;
        float4 v[NV];
        float lm = -INFINITY, swz = 0.f, sum = 0.f;
        int bad = 0;
#pragma unroll
        for (int n = 0; n < NV; n++) {
            const int c4 = lane + 32 * n;
            if (c4 < K4) {
                v[n] = z[c4];
                if (!isfinite(v[n].x) || !isfinite(v[n].y) || !isfinite(v[n].z) || !isfinite(v[n].w)) bad = 1;
                lm = fmaxf(lm, fmaxf(fmaxf(v[n].x, v[n].y), fmaxf(v[n].z, v[n].w)));
            }
        }
#pragma unroll
        for (int n = 0; n < NV; n++) {
            const int c4 = lane + 32 * n;
            if (c4 < K4) {
                if (eps != 0.f) {
                    const float4 w =
                        weight ? reinterpret_cast<const float4 *>(weight)[c4] : make_float4(1.f, 1.f, 1.f, 1.f);
                    swz += w.x * v[n].x + w.y * v[n].y + w.z * v[n].z + w.w * v[n].w;
                }
                v[n].x = expf(v[n].x - lm);
                v[n].y = expf(v[n].y - lm);
                v[n].z = expf(v[n].z - lm);
                v[n].w = expf(v[n].w - lm);
                sum += v[n].x + v[n].y + v[n].z + v[n].w;
            }
        }
        const float m = e4j_warp_max(lm);
        const float part = sum == 0.f ? 0.f : sum * expf(lm - m);
        const float tot = e4j_warp_sum(part);
        swz = e4j_warp_sum(swz);
        bad = __any_sync(0xffffffffu, bad);
        const float lse = m + logf(tot);
        if (bad) {
            if (lane == 0) {
                e4j_report(err, E4J_ERR_INVALID_ARGUMENT, K_XENT_NAN, i, -1, K);
                rowloss[i] = NAN;
            }
            continue;
        }
        const float wt = ignored ? 0.f : (weight ? weight[t] : 1.f);
        if (lane == 0)
            rowloss[i] = ignored ? 0.f : (1.f - eps) * wt * (lse - zt) + (eps / (float)K) * (wsum * lse - swz);
        if (dlogits == nullptr) continue;
        float4 *dz = reinterpret_cast<float4 *>(dlogits + i * K);
        const float a = scale * (1.f - eps) * wt, bsm = scale * (eps / (float)K);
        const float corr = lm == -INFINITY ? 0.f : expf(lm - lse);
#pragma unroll
        for (int n = 0; n < NV; n++) {
            const int c4 = lane + 32 * n;
            if (c4 >= K4) continue;
            const float x[4] = {v[n].x, v[n].y, v[n].z, v[n].w};
            const float4 w = weight ? reinterpret_cast<const float4 *>(weight)[c4] : make_float4(1.f, 1.f, 1.f, 1.f);
            const float wc[4] = {w.x, w.y, w.z, w.w};
            float o[4];
#pragma unroll
            for (int q = 0; q < 4; q++) {
                const float pr = x[q] * corr;
                o[q] = ignored ? 0.f : a * (pr - (c4 * 4 + q == t ? 1.f : 0.f)) + bsm * (wsum * pr - wc[q]);
            }
            dz[c4] = make_float4(o[0], o[1], o[2], o[3]);
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_softmax_xent_cuda(float *loss, float *dlogits, const float *logits,
                                                    const int64_t *targets, const float *weight, int64_t ignore_index,
                                                    float label_smoothing, int32_t reduction, int64_t B, int64_t K,
                                                    e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (B < 0 || K < 1)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "need B >= 0 and K >= 1, got B=%lld K=%lld", (long long)B,
                             (long long)K);
    if (reduction < 0 || reduction > 2)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "reduction must be 0..2, got %d", reduction);
    if (!(label_smoothing >= 0.f && label_smoothing <= 1.f))
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "label_smoothing must be in [0, 1], got %g",
                             (double)label_smoothing);
    void *p;
    E4J_TRY(e4j_cuda_scratch(st, (size_t)(B + 4 + 3 * kParts) * sizeof(float), &p));
    float *stats = (float *)p;
    float *part = stats + 4;
    float *rowloss = reduction == E4J_REDUCE_NONE ? loss : part + 3 * kParts;
    xent_prepare_part<<<kParts, kThreads, 0, st->stream>>>(part, targets, weight, ignore_index, B, K, st->d_err);
    xent_final<<<1, kParts, 0, st->stream>>>(stats, nullptr, part, 0, reduction);
    E4J_TRY(e4j_cuda_launched("softmax_xent_cuda (prepare)"));
    if (B > 0) {
        int blocks = (int)(B < 65535LL * 8 ? B : 65535LL * 8);
        bool vec = K % 4 == 0 && e4j_aligned16(logits) && (dlogits == nullptr || e4j_aligned16(dlogits)) &&
                   e4j_aligned16(weight);
        const int64_t K4 = K / 4;
        if (vec && K4 <= 32 * 8) {
            xent_rows_warp<8><<<e4j_blocks(B, kThreads / 32), kThreads, 0, st->stream>>>(
                rowloss, dlogits, logits, targets, weight, stats, ignore_index, label_smoothing, reduction, B, K,
                st->d_err);
        } else if (vec) {
            const int threads = K4 > 4 * 1024 ? 1024 : kThreads;
            xent_rows<4><<<blocks, threads, 0, st->stream>>>(rowloss, dlogits, logits, targets, weight, stats,
                                                             ignore_index, label_smoothing, reduction, B, K, st->d_err);
        } else
            xent_rows<1><<<blocks, kThreads, 0, st->stream>>>(rowloss, dlogits, logits, targets, weight, stats,
                                                              ignore_index, label_smoothing, reduction, B, K,
                                                              st->d_err);
        E4J_TRY(e4j_cuda_launched("softmax_xent_cuda (rows)"));
    }
    if (reduction != E4J_REDUCE_NONE) {
        xent_loss_part<<<kParts, kThreads, 0, st->stream>>>(part + 2 * kParts, rowloss, B);
        xent_final<<<1, kParts, 0, st->stream>>>(stats, loss, part + 2 * kParts, 1, reduction);
        E4J_TRY(e4j_cuda_launched("softmax_xent_cuda (finish)"));
    }
    return E4J_OK;
}
