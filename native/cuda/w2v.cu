/* word2vec negative-sampling step on the GPU, batched over every centre position of a chunk.
 *
 * Skip-gram: for centre w at position i and each context word c in word2vec's dynamic window:
 *   for target t in {w (label 1)} ∪ negatives (label 0):  x = W_in[c]·W_out[t];  g = (label - σ(x))·lr
 *   W_in[c] += Σ_t g·W_out[t];   W_out[t] += g·W_in[c]   (accumulated over the window, applied at its end)
 * CBOW: h = mean of the context rows; the same with W_in[c] -> h, and every context row += Σ_t g·W_out[t].
 * loss += -log σ(±x) per (input, output) pair; lr decays linearly from lr_start to lr_end across positions.
 *
 * What differs from e4j_w2v_train_chunk (the CPU Hogwild worker), on purpose: all centres run at once, one warp
 * each; the negatives are drawn once per centre and shared by its context pairs (so the window's work is a small
 * dense block: 1+negative output rows held in shared memory); each centre has its own rng stream derived from the
 * seed. Same model, same expected update; not the same bits. Hogwild: warps race on shared rows without locks, as
 * word2vec's threads do, so results are NOT deterministic. Thread-safe per stream. */
#include <math.h>

#include "internal.cuh"

namespace {

constexpr int kMaxPerLane = 16; /* D <= 512 */

__device__ __forceinline__ uint64_t lcg(uint64_t &r) {
    r = r * 25214903917ULL + 11ULL;
    return r;
}

__device__ __forceinline__ uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

__device__ __forceinline__ float softplus_neg(float x) { /* -log σ(x) */
    return x > 0.f ? log1pf(expf(-x)) : -x + log1pf(expf(x));
}

__global__ void w2v_kernel(float *__restrict__ W_in, float *__restrict__ W_out, double *loss_sum, int64_t *pairs,
                           uint64_t seed, const int32_t *__restrict__ tokens, int64_t T,
                           const int32_t *__restrict__ neg_table, int64_t S, int32_t cbow, int32_t window,
                           int32_t negative, float lr_start, float lr_end, int64_t V, int64_t D, e4j_dev_error *err) {
    extern __shared__ float smem[];
    __shared__ double block_loss[32];
    __shared__ long long block_pairs[32];
    const int lane = threadIdx.x & 31, wib = threadIdx.x >> 5, nwb = blockDim.x >> 5;
    const int nt = 1 + negative;
    float *tgt = smem + (size_t)wib * 2 * nt * D; /* (nt, D) output rows */
    float *gacc = tgt + (size_t)nt * D;           /* (nt, D) their accumulated updates */
    int64_t tid[33];                              /* target rows; -1 = skipped */
    double my_loss = 0.0;
    long long my_pairs = 0;
    const int64_t nwarps = (int64_t)gridDim.x * nwb;
    for (int64_t i = (int64_t)blockIdx.x * nwb + wib; i < T; i += nwarps) {
        const int64_t w = tokens[i];
        if (w < 0) continue;
        if (w >= V) {
            if (lane == 0) e4j_report(err, E4J_ERR_INDEX, K_W2V, i, w, V);
            continue;
        }
        uint64_t r = splitmix(seed ^ (uint64_t)i * 0x9E3779B97F4A7C15ULL);
        const int b = (int)(lcg(r) % (uint64_t)window);
        const int span = window - b;
        const float lr = lr_start + (lr_end - lr_start) * ((float)i / (float)T);
        tid[0] = w;
        for (int j = 1; j < nt; j++) {
            int64_t t = neg_table[(lcg(r) >> 16) % (uint64_t)S];
            tid[j] = (t == w || t < 0 || t >= V) ? -1 : t;
        }
        for (int j = 0; j < nt; j++)
            for (int64_t c = lane; c < D; c += 32) {
                tgt[j * D + c] = tid[j] >= 0 ? W_out[tid[j] * D + c] : 0.f;
                gacc[j * D + c] = 0.f;
            }
        __syncwarp();
        /* Context positions: left and right of i up to span, stopping at sentence breaks. */
        int64_t lo = i, hi = i;
        while (lo > 0 && i - lo < span && tokens[lo - 1] >= 0) lo--;
        while (hi + 1 < T && hi - i < span && tokens[hi + 1] >= 0) hi++;
        float h[kMaxPerLane], e[kMaxPerLane];
        const int64_t nctx = hi - lo;
        if (nctx == 0) continue;
        /* targets against h; e = Σ g·tgt; gacc += g·h */
        auto step = [&]() {
#pragma unroll
            for (int m = 0; m < kMaxPerLane; m++) e[m] = 0.f;
            for (int j = 0; j < nt; j++) {
                if (tid[j] < 0) continue;
                float dot = 0.f;
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    if (c < D) dot = fmaf(h[m], tgt[j * D + c], dot);
                }
                dot = e4j_warp_sum(dot);
                const float label = j == 0 ? 1.f : 0.f;
                const float sig = 1.f / (1.f + expf(-dot));
                const float g = (label - sig) * lr;
                my_loss += (double)softplus_neg(j == 0 ? dot : -dot);
                my_pairs++;
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    if (c < D) {
                        e[m] = fmaf(g, tgt[j * D + c], e[m]);
                        gacc[j * D + c] = fmaf(g, h[m], gacc[j * D + c]);
                    }
                }
            }
        };
        if (!cbow) {
            for (int64_t p = lo; p <= hi; p++) {
                if (p == i) continue;
                const int64_t cw = tokens[p];
                if (cw >= V) continue;
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    h[m] = c < D ? W_in[cw * D + c] : 0.f;
                }
                step();
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    if (c < D) W_in[cw * D + c] = h[m] + e[m];
                }
            }
        } else {
#pragma unroll
            for (int m = 0; m < kMaxPerLane; m++) h[m] = 0.f;
            int cnt = 0;
            for (int64_t p = lo; p <= hi; p++) {
                if (p == i || tokens[p] >= V) continue;
                cnt++;
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    if (c < D) h[m] += W_in[(int64_t)tokens[p] * D + c];
                }
            }
            if (cnt == 0) continue;
#pragma unroll
            for (int m = 0; m < kMaxPerLane; m++) h[m] /= (float)cnt;
            step();
            for (int64_t p = lo; p <= hi; p++) {
                if (p == i || tokens[p] >= V) continue;
#pragma unroll
                for (int m = 0; m < kMaxPerLane; m++) {
                    int64_t c = lane + 32 * m;
                    if (c < D) W_in[(int64_t)tokens[p] * D + c] += e[m];
                }
            }
        }
        __syncwarp();
        for (int j = 0; j < nt; j++) {
            if (tid[j] < 0) continue;
            for (int64_t c = lane; c < D; c += 32) W_out[tid[j] * D + c] += gacc[j * D + c];
        }
        __syncwarp();
    }
    /* One atomic per block: loss and pair counts are summed per warp (lane 0 holds them), then per block. */
    if (lane == 0) {
        block_loss[wib] = my_loss;
        block_pairs[wib] = my_pairs;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double l = 0.0;
        long long n = 0;
        for (int k = 0; k < nwb; k++) {
            l += block_loss[k];
            n += block_pairs[k];
        }
        if (n > 0) {
            atomicAdd(loss_sum, l);
            atomicAdd((unsigned long long *)pairs, (unsigned long long)n);
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_w2v_train_chunk_cuda(float *W_in, float *W_out, double *loss_sum, int64_t *pairs,
                                                       uint64_t seed, const int32_t *tokens, int64_t T,
                                                       const int32_t *neg_table, int64_t S, const int64_t *sub_offsets,
                                                       const int32_t *sub_ids, int32_t cbow, int32_t window,
                                                       int32_t negative, float lr_start, float lr_end, int64_t V,
                                                       int64_t R, int64_t D, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (sub_offsets != nullptr || sub_ids != nullptr)
        return e4j_cuda_fail(E4J_ERR_UNSUPPORTED, "w2v_train_chunk_cuda does not support subwords yet");
    if (window < 1 || negative < 0 || negative > 32 || S < 1 || D < 1 || D > 32 * kMaxPerLane || V < 1 || R < V ||
        T < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT,
                             "bad word2vec arguments: window=%d (>= 1) negative=%d (0..32) S=%lld (>= 1) D=%lld "
                             "(1..%d) V=%lld R=%lld T=%lld",
                             window, negative, (long long)S, (long long)D, 32 * kMaxPerLane, (long long)V, (long long)R,
                             (long long)T);
    if (T == 0) return E4J_OK;
    const size_t per_warp = (size_t)2 * (1 + negative) * D * sizeof(float);
    int warps = (int)(46 * 1024 / per_warp); /* 48 KiB of shared memory per block, less the static part */
    if (warps > 8) warps = 8;
    if (warps < 1)
        return e4j_cuda_fail(E4J_ERR_UNSUPPORTED, "w2v_train_chunk_cuda: (1+negative)*D = %lld is too large",
                             (long long)((1 + negative) * D));
    int sms = 132;
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, st->device);
    int64_t want = (T + warps - 1) / warps;
    int64_t cap = (int64_t)sms * 16;
    int blocks = (int)(want < cap ? want : cap);
    w2v_kernel<<<blocks, warps * 32, per_warp * warps, st->stream>>>(W_in, W_out, loss_sum, pairs, seed, tokens, T,
                                                                     neg_table, S, cbow, window, negative, lr_start,
                                                                     lr_end, V, D, st->d_err);
    return e4j_cuda_launched("w2v_train_chunk_cuda");
}
