/* Internal helpers of libembed4j_cuda: the stream handle, the device error record, launch checks,
 * warp reductions and index loads. Not part of the ABI. */
#ifndef E4J_CUDA_INTERNAL_CUH
#define E4J_CUDA_INTERNAL_CUH

#include <cuda_runtime.h>
#include <stdint.h>

#include "embed4j_cuda.h"

/* Kernel ids named in error messages. */
enum e4j_kernel_id {
    K_GATHER = 1,
    K_BAG = 2,
    K_SORT = 3,
    K_XENT_TARGET = 4,
    K_XENT_NAN = 5,
    K_W2V = 6,
    K_BAG_OFFSETS = 7,
    K_CHECK = 8
};

/* Written by the first failing thread (flag CAS 0 -> 1), read by the host at the next synchronisation. */
struct e4j_dev_error {
    int32_t flag;
    int32_t status; /* e4j_status */
    int32_t kernel; /* e4j_kernel_id */
    int32_t pad;
    int64_t pos, value, bound;
};

struct e4j_cuda_stream {
    cudaStream_t stream;
    int owned;
    int device;
    e4j_dev_error *d_err; /* device */
    e4j_dev_error *h_err; /* pinned host mirror */
    void *scratch;        /* stream-ordered cache */
    size_t scratch_bytes;
};

/* Thread-local message; returns status. */
e4j_status e4j_cuda_fail(e4j_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* E4J_ERR_CUDA naming the CUDA error, or E4J_OK. */
e4j_status e4j_cuda_check(cudaError_t e, const char *what);
/* cudaGetLastError after a launch. */
e4j_status e4j_cuda_launched(const char *what);
/* Scratch of at least `bytes` bytes (16-byte aligned), valid in stream order until the next call. */
e4j_status e4j_cuda_scratch(e4j_cuda_stream *st, size_t bytes, void **out);
/* The handle is non-NULL and its device current. */
e4j_status e4j_cuda_enter(e4j_cuda_stream *st);

#define E4J_TRY(x)                           \
    do {                                     \
        e4j_status e4j_s_ = (x);             \
        if (e4j_s_ != E4J_OK) return e4j_s_; \
    } while (0)

#define E4J_ENTER(st) E4J_TRY(e4j_cuda_enter(st))

__device__ __forceinline__ void e4j_report(e4j_dev_error *err, int32_t status, int32_t kernel, int64_t pos,
                                           int64_t value, int64_t bound) {
    if (atomicCAS(&err->flag, 0, 1) == 0) {
        err->status = status;
        err->kernel = kernel;
        err->pos = pos;
        err->value = value;
        err->bound = bound;
    }
}

__device__ __forceinline__ int64_t e4j_load_index(const void *idx, int32_t type, int64_t i) {
    return type == E4J_INT32 ? (int64_t)((const int32_t *)idx)[i] : ((const int64_t *)idx)[i];
}

__device__ __forceinline__ float e4j_warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float e4j_warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

static inline bool e4j_aligned16(const void *p) { return ((uintptr_t)p & 15u) == 0; }

static inline int e4j_blocks(int64_t work, int threads, int64_t cap = 65535LL * 32) {
    int64_t b = (work + threads - 1) / threads;
    if (b < 1) b = 1;
    if (b > cap) b = cap;
    return (int)b;
}

static inline e4j_status e4j_check_index_type(int32_t t) {
    if (t != E4J_INT32 && t != E4J_INT64)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "idx_type must be 4 (int32) or 8 (int64), got %d", t);
    return E4J_OK;
}

#endif
