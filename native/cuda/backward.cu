/* Embedding and EmbeddingBag backward on the GPU, and the fused sparse update, from an index sort.
 *
 *   g_u = Σ_{k in seg u, ascending} contribution(perm[k])          (× 1/count with scale_grad_by_freq)
 *   embedding: contribution(j) = dout[j,:]
 *   bag:       contribution(j) = dout[b,:] × (psw[j] | 1/count_b | [argmax[b,:] == j])   (b = bag of j)
 *   then: dW[uniq[u]] += g_u  |  drows[u] += g_u  |  optimizer step on W[uniq[u]] and its state rows
 *
 * Must match e4j_embedding_backward / _bag_backward / _backward_update (embed4j.h). Deterministic on purpose
 * (llm.c does the same): one warp owns a unique row, reduces its positions sequentially in sorted order and
 * writes the row once, so there are no float atomics and the result is bit-identical across runs. The fused
 * update is FBGEMM's idea: the gradient row lives in registers only; no V×D or U×D buffer exists.
 * Rows with uniq < 0 (the sort's padding past U) are skipped, so U may be an upper bound. Thread-safe per stream. */
#include "internal.cuh"
#include "optim.cuh"

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

enum OutMode { OUT_DENSE = 0, OUT_COMPACT = 1, OUT_UPDATE = 2 };

/* Where the contributions come from. */
struct Src {
    const float *dout;
    const int64_t *perm;
    const int64_t *offsets; /* bag only */
    const float *psw;
    const int64_t *argmax;
    const int32_t *counts;
    int64_t B;
    int32_t mode;
};

/* The bag b with offsets[b] <= j < offsets[b+1]. */
__device__ __forceinline__ int64_t bag_of(const int64_t *__restrict__ offsets, int64_t B, int64_t j) {
    int64_t lo = 0, hi = B; /* invariant: offsets[lo] <= j, answer in [lo, hi) */
    while (hi - lo > 1) {
        int64_t mid = (lo + hi) >> 1;
        if (offsets[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

template <int W4> __device__ __forceinline__ void load_cols(float v[W4], const float *p) {
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

template <int W4> __device__ __forceinline__ void store_cols(float *p, const float v[W4]) {
    if constexpr (W4 == 4)
        *reinterpret_cast<float4 *>(p) = make_float4(v[0], v[1], v[2], v[3]);
    else
        *p = v[0];
}

/* Rows reduced side by side by one warp: their loads are independent, so R chains of dependent loads
 * (uniq -> seg -> perm -> dout) are in flight at once. Each row is still summed in its own fixed order. */
constexpr int R = 1;

/* Position j's contribution to columns [c0, c0+W4). */
template <int W4, bool BAG>
__device__ __forceinline__ void contrib(float v[W4], const Src &s, int64_t j, int64_t D, int64_t c0) {
    if constexpr (!BAG) {
        load_cols<W4>(v, s.dout + j * D + c0);
    } else {
        const int64_t b = bag_of(s.offsets, s.B, j);
        load_cols<W4>(v, s.dout + b * D + c0);
        if (s.mode == E4J_BAG_MAX) {
#pragma unroll
            for (int q = 0; q < W4; q++) v[q] = s.argmax[b * D + c0 + q] == j ? v[q] : 0.f;
        } else if (s.mode == E4J_BAG_MEAN) {
            const float cnt = (float)s.counts[b];
#pragma unroll
            for (int q = 0; q < W4; q++) v[q] = v[q] / cnt;
        } else if (s.psw != nullptr) {
            const float w = s.psw[j];
#pragma unroll
            for (int q = 0; q < W4; q++) v[q] = v[q] * w;
        }
    }
}

/* acc[r] = Σ_{i < len[r]} contribution(perm[k0[r] + i]), i ascending, for R rows at once. */
template <int W4, bool BAG>
__device__ __forceinline__ void reduce_rows(float acc[R][W4], const Src &s, const int64_t k0[R], const int64_t len[R],
                                            int64_t maxlen, int64_t D, int64_t c0) {
#pragma unroll
    for (int r = 0; r < R; r++)
#pragma unroll
        for (int q = 0; q < W4; q++) acc[r][q] = 0.f;
    for (int64_t i = 0; i < maxlen; i++) {
        float v[R][W4];
#pragma unroll
        for (int r = 0; r < R; r++)
            if (i < len[r]) contrib<W4, BAG>(v[r], s, s.perm[k0[r] + i], D, c0);
#pragma unroll
        for (int r = 0; r < R; r++)
            if (i < len[r])
#pragma unroll
                for (int q = 0; q < W4; q++) acc[r][q] += v[r][q];
    }
}

/* One warp per R unique rows: reduce, then add (dense / compact) or apply the optimizer (update). */
template <int W4, bool BAG>
__global__ void rows_kernel(Src src, float *__restrict__ dst, float *__restrict__ s1, float *__restrict__ s2,
                            const int64_t *__restrict__ uniq, const int64_t *__restrict__ seg, int64_t U, int64_t D,
                            int32_t out_mode, int32_t scale_freq, e4j_optim_dev opt) {
    const int lane = threadIdx.x & 31;
    const int64_t warp = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5);
    const int64_t nwarps = (int64_t)gridDim.x * kWarps;
    const int64_t tile = 32 * W4;
    const int64_t ntiles = (D + tile - 1) / tile;
    const bool update = out_mode == OUT_UPDATE;
    const bool rowwise = update && opt.kind == E4J_OPT_ROWWISE_ADAGRAD;
    const bool h1 = update && e4j_optim_has_s1(opt), h2 = update && e4j_optim_has_s2(opt);
    for (int64_t u0 = warp * R; u0 < U; u0 += nwarps * R) {
        int64_t row[R], k0[R], len[R], maxlen = 0;
        float fscale[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int64_t u = u0 + r;
            row[r] = u < U ? uniq[u] : -1;
            k0[r] = 0;
            len[r] = 0;
            if (row[r] >= 0) {
                k0[r] = seg[u];
                len[r] = seg[u + 1] - k0[r];
            }
            maxlen = len[r] > maxlen ? len[r] : maxlen;
            fscale[r] = scale_freq && len[r] > 0 ? 1.f / (float)len[r] : 1.f;
        }
        if (maxlen == 0) continue; /* warp-uniform */
        float rowmul[R];
        if (rowwise) {
            float sumsq[R];
#pragma unroll
            for (int r = 0; r < R; r++) sumsq[r] = 0.f;
            for (int64_t t = 0; t < ntiles; t++) {
                const int64_t c0 = t * tile + (int64_t)lane * W4;
                if (c0 >= D) continue;
                float acc[R][W4];
                reduce_rows<W4, BAG>(acc, src, k0, len, maxlen, D, c0);
#pragma unroll
                for (int r = 0; r < R; r++) {
                    if (row[r] < 0) continue;
                    float w[W4];
                    if (opt.wd != 0.f) load_cols<W4>(w, dst + row[r] * D + c0);
#pragma unroll
                    for (int q = 0; q < W4; q++) {
                        float g = acc[r][q] * fscale[r];
                        if (opt.maximize) g = -g;
                        if (opt.wd != 0.f) g = fmaf(opt.wd, w[q], g);
                        sumsq[r] = fmaf(g, g, sumsq[r]);
                    }
                }
            }
#pragma unroll
            for (int r = 0; r < R; r++) {
                const float ss = e4j_warp_sum(sumsq[r]);
                float st = 0.f;
                if (lane == 0 && row[r] >= 0) {
                    st = s1[row[r]] + ss / (float)D;
                    s1[row[r]] = st;
                }
                st = __shfl_sync(0xffffffffu, st, 0);
                rowmul[r] = opt.lr / (sqrtf(st) + opt.eps);
            }
        }
        for (int64_t t = 0; t < ntiles; t++) {
            const int64_t c0 = t * tile + (int64_t)lane * W4;
            if (c0 >= D) continue;
            /* The destination row (and optimizer state) is loaded before the reduction: it depends only on uniq[u],
             * so its latency overlaps the uniq -> seg -> perm -> dout chain instead of following it. */
            float w[R][W4], a[R][W4], b[R][W4];
#pragma unroll
            for (int r = 0; r < R; r++) {
                if (row[r] < 0) continue;
                if (update) {
                    const int64_t e = row[r] * D + c0;
                    load_cols<W4>(w[r], dst + e);
                    if (h1) load_cols<W4>(a[r], s1 + e);
                    if (h2) load_cols<W4>(b[r], s2 + e);
                } else {
                    load_cols<W4>(w[r], dst + (out_mode == OUT_DENSE ? row[r] : u0 + r) * D + c0);
                }
            }
            /* Row-wise Adagrad reduces twice (pass 1 for the row's sum of squares): same order, same bits. */
            float g[R][W4];
            reduce_rows<W4, BAG>(g, src, k0, len, maxlen, D, c0);
#pragma unroll
            for (int r = 0; r < R; r++)
#pragma unroll
                for (int q = 0; q < W4; q++) g[r][q] *= fscale[r];
#pragma unroll
            for (int r = 0; r < R; r++) {
                if (row[r] < 0) continue;
                if (update) {
                    const int64_t e = row[r] * D + c0;
#pragma unroll
                    for (int q = 0; q < W4; q++)
                        e4j_optim_elem(opt, w[r][q], a[r][q], b[r][q], g[r][q], rowwise ? rowmul[r] : 0.f);
                    store_cols<W4>(dst + e, w[r]);
                    if (h1) store_cols<W4>(s1 + e, a[r]);
                    if (h2) store_cols<W4>(s2 + e, b[r]);
                } else {
#pragma unroll
                    for (int q = 0; q < W4; q++) w[r][q] += g[r][q];
                    store_cols<W4>(dst + (out_mode == OUT_DENSE ? row[r] : u0 + r) * D + c0, w[r]);
                }
            }
        }
    }
}

/* counts[b] = number of sorted (non-padding) positions in bag b. Integer atomics: exact. */
__global__ void bag_counts(int32_t *__restrict__ counts, const int64_t *__restrict__ perm,
                           const int64_t *__restrict__ seg, int64_t U, const int64_t *__restrict__ offsets, int64_t B) {
    const int64_t nvalid = seg[U];
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < nvalid; k += (int64_t)gridDim.x * blockDim.x)
        atomicAdd(&counts[bag_of(offsets, B, perm[k])], 1);
}

/* dpsw[j] = dot(dout[b,:], W[idx[j],:]) for each sorted (non-padding) position; one warp per position. */
__global__ void bag_dpsw(float *__restrict__ dpsw, const float *__restrict__ dout, const float *__restrict__ W,
                         const void *__restrict__ idx, int32_t type, const int64_t *__restrict__ offsets,
                         const int64_t *__restrict__ perm, const int64_t *__restrict__ seg, int64_t U, int64_t B,
                         int64_t D) {
    const int lane = threadIdx.x & 31;
    const int64_t nvalid = seg[U];
    for (int64_t k = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5); k < nvalid; k += (int64_t)gridDim.x * kWarps) {
        int64_t j = perm[k];
        int64_t b = bag_of(offsets, B, j);
        int64_t v = e4j_load_index(idx, type, j);
        float acc = 0.f;
        for (int64_t c = lane; c < D; c += 32) acc = fmaf(dout[b * D + c], W[v * D + c], acc);
        acc = e4j_warp_sum(acc);
        if (lane == 0) dpsw[j] = acc;
    }
}

e4j_status launch_rows(bool bag, const Src &src, float *dst, float *s1, float *s2, const int64_t *uniq,
                       const int64_t *seg, int64_t U, int64_t D, int32_t out_mode, int32_t scale_freq,
                       const e4j_optim_dev &opt, bool vec, cudaStream_t stream) {
    if (U <= 0 || D <= 0) return E4J_OK;
    int blocks = e4j_blocks((U + R - 1) / R, kWarps);
    if (bag) {
        if (vec)
            rows_kernel<4, true>
                <<<blocks, kThreads, 0, stream>>>(src, dst, s1, s2, uniq, seg, U, D, out_mode, scale_freq, opt);
        else
            rows_kernel<1, true>
                <<<blocks, kThreads, 0, stream>>>(src, dst, s1, s2, uniq, seg, U, D, out_mode, scale_freq, opt);
    } else {
        if (vec)
            rows_kernel<4, false>
                <<<blocks, kThreads, 0, stream>>>(src, dst, s1, s2, uniq, seg, U, D, out_mode, scale_freq, opt);
        else
            rows_kernel<1, false>
                <<<blocks, kThreads, 0, stream>>>(src, dst, s1, s2, uniq, seg, U, D, out_mode, scale_freq, opt);
    }
    return e4j_cuda_launched("embedding backward rows");
}

e4j_status check_sizes(int64_t U, int64_t N, int64_t D) {
    if (U < 0 || N < 0 || D < 0 || U > N)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "bad sizes U=%lld N=%lld D=%lld (need 0 <= U <= N, D >= 0)",
                             (long long)U, (long long)N, (long long)D);
    return E4J_OK;
}

} // namespace

extern "C" E4J_API e4j_status e4j_embedding_backward_cuda(float *dW, const float *dout, const int64_t *uniq,
                                                          const int64_t *seg, const int64_t *perm,
                                                          int32_t scale_grad_by_freq, int32_t compact, int64_t U,
                                                          int64_t N, int64_t D, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_sizes(U, N, D));
    Src src{dout, perm, nullptr, nullptr, nullptr, nullptr, 0, 0};
    e4j_optim_dev none{};
    bool vec = D % 4 == 0 && e4j_aligned16(dW) && e4j_aligned16(dout);
    return launch_rows(false, src, dW, nullptr, nullptr, uniq, seg, U, D, compact ? OUT_COMPACT : OUT_DENSE,
                       scale_grad_by_freq, none, vec, st->stream);
}

extern "C" E4J_API e4j_status e4j_embedding_bag_backward_cuda(float *dW, float *dpsw, const float *dout, const float *W,
                                                              const void *idx, int32_t idx_type, const int64_t *offsets,
                                                              const float *psw, const int64_t *argmax,
                                                              const int64_t *uniq, const int64_t *seg,
                                                              const int64_t *perm, int32_t mode, int32_t compact,
                                                              int64_t U, int64_t N, int64_t B, int64_t V, int64_t D,
                                                              e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_sizes(U, N, D));
    E4J_TRY(e4j_check_index_type(idx_type));
    if (mode < 0 || mode > 2) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "bag mode must be 0..2, got %d", mode);
    if (mode == E4J_BAG_MAX && argmax == nullptr)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "max mode needs argmax");
    if (B < 0 || V < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got B=%lld V=%lld", (long long)B,
                             (long long)V);
    int32_t *counts = nullptr;
    if (mode == E4J_BAG_MEAN && U > 0 && B > 0) {
        void *p;
        E4J_TRY(e4j_cuda_scratch(st, (size_t)B * sizeof(int32_t), &p));
        counts = (int32_t *)p;
        E4J_TRY(e4j_cuda_check(cudaMemsetAsync(counts, 0, (size_t)B * sizeof(int32_t), st->stream), "cudaMemsetAsync"));
        bag_counts<<<e4j_blocks(N, kThreads), kThreads, 0, st->stream>>>(counts, perm, seg, U, offsets, B);
        E4J_TRY(e4j_cuda_launched("embedding_bag_backward_cuda (counts)"));
    }
    if (dpsw != nullptr && N > 0) {
        E4J_TRY(e4j_cuda_check(cudaMemsetAsync(dpsw, 0, (size_t)N * sizeof(float), st->stream), "cudaMemsetAsync"));
        if (mode == E4J_BAG_SUM && psw != nullptr && U > 0 && B > 0 && D > 0) {
            bag_dpsw<<<e4j_blocks(N, kWarps), kThreads, 0, st->stream>>>(dpsw, dout, W, idx, idx_type, offsets, perm,
                                                                         seg, U, B, D);
            E4J_TRY(e4j_cuda_launched("embedding_bag_backward_cuda (dpsw)"));
        }
    }
    if (B == 0) return E4J_OK;
    Src src{dout, perm, offsets, mode == E4J_BAG_SUM ? psw : nullptr, argmax, counts, B, mode};
    e4j_optim_dev none{};
    bool vec = D % 4 == 0 && e4j_aligned16(dW) && e4j_aligned16(dout) && (mode != E4J_BAG_MAX || D % 4 == 0);
    return launch_rows(true, src, dW, nullptr, nullptr, uniq, seg, U, D, compact ? OUT_COMPACT : OUT_DENSE, 0, none,
                       vec, st->stream);
}

extern "C" E4J_API e4j_status e4j_embedding_backward_update_cuda(float *W, float *state1, float *state2,
                                                                 const float *dout, const int64_t *uniq,
                                                                 const int64_t *seg, const int64_t *perm,
                                                                 int32_t scale_grad_by_freq, const e4j_optim *opt,
                                                                 int64_t U, int64_t N, int64_t V, int64_t D,
                                                                 e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(check_sizes(U, N, D));
    if (V < 0) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "V must be >= 0, got %lld", (long long)V);
    e4j_optim_dev o{};
    E4J_TRY(e4j_optim_prepare(opt, &o, 1));
    if (o.kind == E4J_OPT_ADAM || o.kind == E4J_OPT_ADAMW || (o.kind == E4J_OPT_SGD && o.momentum != 0.f))
        return e4j_cuda_fail(E4J_ERR_UNSUPPORTED,
                             "the fused sparse update supports SGD without momentum, "
                             "ROWWISE_ADAGRAD, ADAGRAD and SPARSE_ADAM; got kind %d (momentum %g)",
                             o.kind, (double)o.momentum);
    if ((o.kind != E4J_OPT_SGD && state1 == nullptr) || (o.kind == E4J_OPT_SPARSE_ADAM && state2 == nullptr))
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "optimizer kind %d needs its state tensors", o.kind);
    Src src{dout, perm, nullptr, nullptr, nullptr, nullptr, 0, 0};
    bool vec = D % 4 == 0 && e4j_aligned16(W) && e4j_aligned16(dout) && e4j_aligned16(state1) && e4j_aligned16(state2);
    return launch_rows(false, src, W, state1, state2, uniq, seg, U, D, OUT_UPDATE, scale_grad_by_freq, o, vec,
                       st->stream);
}
