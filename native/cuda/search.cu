/* Row norms and top-k search on the GPU.
 *
 *   norms[v]   = ||W[v,:]||_2
 *   score[q,v] = dot(q, W[v]) / (||q|| norms[v])  (cosine; norm 0 -> -inf)  or  dot(q, W[v])
 *   out[q,:]   = the k best rows by (score descending, row ascending), excluded rows removed,
 *                missing slots -1 / -inf
 *
 * Must match e4j_row_norms / e4j_topk (embed4j.h). The scores are one GEMM (gemm.cu) per chunk of queries into
 * the stream's scratch; selection is k rounds of a block-wide arg-max over the rows strictly after the previous
 * pick in that order, so ties resolve exactly like the reference. Deterministic. Thread-safe per stream. */
#include <math.h>

#include "internal.cuh"

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

__global__ void norms_kernel(float *__restrict__ norms, const float *__restrict__ W, int64_t V, int64_t D) {
    const int lane = threadIdx.x & 31;
    for (int64_t v = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5); v < V; v += (int64_t)gridDim.x * kWarps) {
        float acc = 0.f;
        for (int64_t c = lane; c < D; c += 32) {
            float x = W[v * D + c];
            acc = fmaf(x, x, acc);
        }
        acc = e4j_warp_sum(acc);
        if (lane == 0) norms[v] = sqrtf(acc);
    }
}

/* Cosine scaling, then excluded rows -> NaN (never selected). One block row per query. */
__global__ void score_fix(float *__restrict__ score, const float *__restrict__ qnorm, const float *__restrict__ norms,
                          const int64_t *__restrict__ exclude, int64_t q0, int64_t nq, int64_t V, int64_t E) {
    for (int64_t q = blockIdx.y; q < nq; q += gridDim.y) {
        float *s = score + q * V;
        if (norms != nullptr) {
            float qn = qnorm[q];
            for (int64_t v = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; v < V;
                 v += (int64_t)gridDim.x * blockDim.x) {
                float nv = norms[v];
                s[v] = nv == 0.f || qn == 0.f ? -INFINITY : s[v] / (qn * nv);
            }
        }
    }
}

__global__ void exclude_kernel(float *__restrict__ score, const int64_t *__restrict__ exclude, int64_t q0, int64_t nq,
                               int64_t V, int64_t E) {
    const int64_t total = nq * E;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t q = i / E;
        int64_t v = exclude[(q0 + q) * E + (i - q * E)];
        if (v >= 0 && v < V) score[q * V + v] = NAN;
    }
}

__device__ __forceinline__ bool better(float s, int64_t v, float bs, int64_t bv) {
    return bv < 0 || s > bs || (s == bs && v < bv);
}

/* k rounds of arg-max per query (one block per query). */
__global__ void select_kernel(int64_t *__restrict__ out_idx, float *__restrict__ out_score,
                              const float *__restrict__ score, int64_t q0, int64_t nq, int64_t V, int64_t k) {
    __shared__ float ss[kThreads];
    __shared__ int64_t sv[kThreads];
    for (int64_t q = blockIdx.x; q < nq; q += gridDim.x) {
        const float *s = score + q * V;
        float prev_s = INFINITY;
        int64_t prev_v = -1;
        bool done = false;
        for (int64_t r = 0; r < k; r++) {
            float bs = -INFINITY;
            int64_t bv = -1;
            if (!done) {
                for (int64_t v = threadIdx.x; v < V; v += blockDim.x) {
                    float x = s[v];
                    if (x != x) continue;                                       /* excluded */
                    if (!(x < prev_s || (x == prev_s && v > prev_v))) continue; /* already taken */
                    if (better(x, v, bs, bv)) {
                        bs = x;
                        bv = v;
                    }
                }
            }
            ss[threadIdx.x] = bs;
            sv[threadIdx.x] = bv;
            __syncthreads();
            for (int w = kThreads / 2; w > 0; w >>= 1) {
                if (threadIdx.x < w) {
                    int o = threadIdx.x + w;
                    if (sv[o] >= 0 && better(ss[o], sv[o], ss[threadIdx.x], sv[threadIdx.x])) {
                        ss[threadIdx.x] = ss[o];
                        sv[threadIdx.x] = sv[o];
                    }
                }
                __syncthreads();
            }
            bs = ss[0];
            bv = sv[0];
            __syncthreads();
            if (bv < 0) done = true;
            if (threadIdx.x == 0) {
                out_idx[(q0 + q) * k + r] = bv;
                out_score[(q0 + q) * k + r] = bv < 0 ? -INFINITY : bs;
            }
            prev_s = bs;
            prev_v = bv;
        }
    }
}

} // namespace

extern "C" E4J_API e4j_status e4j_row_norms_cuda(float *norms, const float *W, int64_t V, int64_t D,
                                                 e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (V < 0 || D < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size V=%lld D=%lld", (long long)V, (long long)D);
    if (V == 0) return E4J_OK;
    norms_kernel<<<e4j_blocks(V, kWarps), kThreads, 0, st->stream>>>(norms, W, V, D);
    return e4j_cuda_launched("row_norms_cuda");
}

extern "C" E4J_API e4j_status e4j_topk_cuda(int64_t *out_idx, float *out_score, const float *W, const float *norms,
                                            const float *queries, const int64_t *exclude, int64_t Q, int64_t V,
                                            int64_t D, int64_t k, int64_t E, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (Q < 0 || V < 0 || D < 0 || k < 0 || E < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size Q=%lld V=%lld D=%lld k=%lld E=%lld", (long long)Q,
                             (long long)V, (long long)D, (long long)k, (long long)E);
    if (k > 1024) return e4j_cuda_fail(E4J_ERR_UNSUPPORTED, "topk_cuda supports k <= 1024, got %lld", (long long)k);
    if (Q == 0 || k == 0) return E4J_OK;
    /* Chunk the queries so that the score matrix stays under 256 Mi floats. */
    int64_t chunk = V > 0 ? (256LL << 20) / V : Q;
    if (chunk < 1) chunk = 1;
    if (chunk > Q) chunk = Q;
    void *p;
    E4J_TRY(e4j_cuda_scratch(st, (size_t)(chunk * (V > 0 ? V : 1) + chunk) * sizeof(float), &p));
    float *score = (float *)p;
    float *qnorm = score + chunk * (V > 0 ? V : 1);
    for (int64_t q0 = 0; q0 < Q; q0 += chunk) {
        int64_t nq = Q - q0 < chunk ? Q - q0 : chunk;
        if (V > 0) {
            E4J_TRY(e4j_gemm_cuda(0, 1, nq, V, D, 1.f, queries + q0 * D, D, W, D, 0.f, score, V, st));
            if (norms != nullptr) {
                norms_kernel<<<e4j_blocks(nq, kWarps), kThreads, 0, st->stream>>>(qnorm, queries + q0 * D, nq, D);
                E4J_TRY(e4j_cuda_launched("topk_cuda (query norms)"));
                dim3 grid((unsigned)e4j_blocks(V, kThreads, 1024), (unsigned)(nq < 65535 ? nq : 65535));
                score_fix<<<grid, kThreads, 0, st->stream>>>(score, qnorm, norms, exclude, q0, nq, V, E);
                E4J_TRY(e4j_cuda_launched("topk_cuda (cosine)"));
            }
            if (exclude != nullptr && E > 0) {
                exclude_kernel<<<e4j_blocks(nq * E, kThreads), kThreads, 0, st->stream>>>(score, exclude, q0, nq, V, E);
                E4J_TRY(e4j_cuda_launched("topk_cuda (exclude)"));
            }
        }
        select_kernel<<<(unsigned)(nq < 65535 ? nq : 65535), kThreads, 0, st->stream>>>(out_idx, out_score, score, q0,
                                                                                        nq, V, k);
        E4J_TRY(e4j_cuda_launched("topk_cuda (select)"));
    }
    return E4J_OK;
}
