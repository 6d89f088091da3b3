/* Optimizer steps and renorm on the GPU.
 *
 *   sparse_rows_update: W[uniq[u]] (and state rows) updated with the gradient row grows[u]
 *   dense_update:       every element of a parameter updated with its gradient
 *   renorm:             W[r] *= max_norm / (||W[r]||_p + 1e-7) when ||W[r]||_p > max_norm, once per unique row
 *
 * Must match e4j_sparse_rows_update / e4j_dense_update / e4j_embedding_renorm (embed4j.h); formulas in
 * optim.cuh. One warp per row (row norms and row-wise Adagrad reduce across lanes in a fixed tree: deterministic),
 * one thread per element for the dense step. Rows with uniq < 0 are skipped. Thread-safe per stream. */
#include "internal.cuh"
#include "optim.cuh"

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

__global__ void sparse_rows_kernel(float *__restrict__ W, float *__restrict__ s1, float *__restrict__ s2,
                                   const float *__restrict__ grows, const int64_t *__restrict__ uniq, int64_t U,
                                   int64_t D, e4j_optim_dev opt) {
    const int lane = threadIdx.x & 31;
    const bool rowwise = opt.kind == E4J_OPT_ROWWISE_ADAGRAD;
    for (int64_t u = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5); u < U; u += (int64_t)gridDim.x * kWarps) {
        const int64_t row = uniq[u];
        if (row < 0) continue;
        float rowmul = 0.f;
        if (rowwise) {
            float sumsq = 0.f;
            for (int64_t c = lane; c < D; c += 32) {
                float g = grows[u * D + c];
                if (opt.maximize) g = -g;
                if (opt.wd != 0.f) g = fmaf(opt.wd, W[row * D + c], g);
                sumsq = fmaf(g, g, sumsq);
            }
            sumsq = e4j_warp_sum(sumsq);
            float st = 0.f;
            if (lane == 0) {
                st = s1[row] + sumsq / (float)D;
                s1[row] = st;
            }
            st = __shfl_sync(0xffffffffu, st, 0);
            rowmul = opt.lr / (sqrtf(st) + opt.eps);
        }
        const bool h1 = e4j_optim_has_s1(opt), h2 = e4j_optim_has_s2(opt);
        for (int64_t c = lane; c < D; c += 32) {
            int64_t e = row * D + c;
            float w = W[e], a = h1 ? s1[e] : 0.f, b = h2 ? s2[e] : 0.f;
            e4j_optim_elem(opt, w, a, b, grows[u * D + c], rowmul);
            W[e] = w;
            if (h1) s1[e] = a;
            if (h2) s2[e] = b;
        }
    }
}

__global__ void dense_kernel(float *__restrict__ W, float *__restrict__ s1, float *__restrict__ s2,
                             const float *__restrict__ grad, int64_t n, e4j_optim_dev opt) {
    const bool h1 = e4j_optim_has_s1(opt), h2 = e4j_optim_has_s2(opt);
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float w = W[i], a = h1 ? s1[i] : 0.f, b = h2 ? s2[i] : 0.f;
        e4j_optim_elem(opt, w, a, b, grad[i], 0.f);
        W[i] = w;
        if (h1) s1[i] = a;
        if (h2) s2[i] = b;
    }
}

__global__ void renorm_kernel(float *__restrict__ W, const int64_t *__restrict__ uniq, float max_norm, float p,
                              int64_t U, int64_t D) {
    const int lane = threadIdx.x & 31;
    for (int64_t u = (int64_t)blockIdx.x * kWarps + (threadIdx.x >> 5); u < U; u += (int64_t)gridDim.x * kWarps) {
        const int64_t row = uniq[u];
        if (row < 0) continue;
        float acc = 0.f;
        for (int64_t c = lane; c < D; c += 32) {
            float a = fabsf(W[row * D + c]);
            if (isinf(p))
                acc = fmaxf(acc, a);
            else if (p == 2.f)
                acc = fmaf(a, a, acc);
            else if (p == 1.f)
                acc += a;
            else
                acc += powf(a, p);
        }
        float norm;
        if (isinf(p)) {
            norm = e4j_warp_max(acc);
        } else {
            acc = e4j_warp_sum(acc);
            norm = p == 2.f ? sqrtf(acc) : p == 1.f ? acc : powf(acc, 1.f / p);
        }
        if (norm > max_norm) {
            float scale = max_norm / (norm + 1e-7f);
            for (int64_t c = lane; c < D; c += 32) W[row * D + c] *= scale;
        }
    }
}

e4j_status check_state(const e4j_optim_dev &o, const float *s1, const float *s2) {
    bool need1 = o.kind != E4J_OPT_SGD || o.momentum != 0.f;
    bool need2 = o.kind == E4J_OPT_ADAM || o.kind == E4J_OPT_ADAMW || o.kind == E4J_OPT_SPARSE_ADAM;
    if ((need1 && s1 == nullptr) || (need2 && s2 == nullptr))
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "optimizer kind %d needs state1%s", o.kind,
                             need2 ? " and state2" : "");
    return E4J_OK;
}

} // namespace

extern "C" E4J_API e4j_status e4j_sparse_rows_update_cuda(float *W, float *state1, float *state2, const float *grows,
                                                          const int64_t *uniq, const e4j_optim *opt, int64_t U,
                                                          int64_t V, int64_t D, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    e4j_optim_dev o{};
    E4J_TRY(e4j_optim_prepare(opt, &o, 1));
    E4J_TRY(check_state(o, state1, state2));
    if (U < 0 || V < 0 || D < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld V=%lld D=%lld", (long long)U,
                             (long long)V, (long long)D);
    if (U == 0 || D == 0) return E4J_OK;
    sparse_rows_kernel<<<e4j_blocks(U, kWarps), kThreads, 0, st->stream>>>(W, state1, state2, grows, uniq, U, D, o);
    return e4j_cuda_launched("sparse_rows_update_cuda");
}

extern "C" E4J_API e4j_status e4j_dense_update_cuda(float *W, float *state1, float *state2, const float *grad,
                                                    const e4j_optim *opt, int64_t n, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    e4j_optim_dev o{};
    E4J_TRY(e4j_optim_prepare(opt, &o, 0));
    if (o.kind == E4J_OPT_ROWWISE_ADAGRAD || o.kind == E4J_OPT_SPARSE_ADAM)
        return e4j_cuda_fail(E4J_ERR_UNSUPPORTED,
                             "dense_update does not support optimizer kind %d (row-wise Adagrad "
                             "and SparseAdam are sparse-only)",
                             o.kind);
    E4J_TRY(check_state(o, state1, state2));
    if (n < 0) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size n=%lld", (long long)n);
    if (n == 0) return E4J_OK;
    dense_kernel<<<e4j_blocks(n, kThreads), kThreads, 0, st->stream>>>(W, state1, state2, grad, n, o);
    return e4j_cuda_launched("dense_update_cuda");
}

extern "C" E4J_API e4j_status e4j_embedding_renorm_cuda(float *W, const int64_t *uniq, float max_norm, float norm_type,
                                                        int64_t U, int64_t V, int64_t D, e4j_cuda_stream *st) {
    E4J_ENTER(st);
    if (!(max_norm >= 0.f) || !(norm_type > 0.f))
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "renorm needs max_norm >= 0 and norm_type > 0, got %g and %g",
                             (double)max_norm, (double)norm_type);
    if (U < 0 || V < 0 || D < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld V=%lld D=%lld", (long long)U,
                             (long long)V, (long long)D);
    if (U == 0 || D == 0) return E4J_OK;
    renorm_kernel<<<e4j_blocks(U, kWarps), kThreads, 0, st->stream>>>(W, uniq, max_norm, norm_type, U, D);
    return e4j_cuda_launched("embedding_renorm_cuda");
}
