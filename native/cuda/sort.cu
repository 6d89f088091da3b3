/* Deterministic index sort on the GPU (e4j_index_sort_cuda), the first step of every backward,
 * fused update and renorm.
 *
 *   keys[j] = idx[j] (padding and out-of-range entries -> V, so they sort last and are dropped)
 *   (keys, positions) radix-sorted, stable (CUB DeviceRadixSort over only the bits V needs)
 *   uniq[u] = the u-th distinct row, seg[u] = its first sorted slot, perm = sorted positions
 *
 * Must match e4j_index_sort (embed4j.h) exactly: the result is a function of the input only (radix sort is
 * stable), so it is bit-identical across runs and equal to the C and Java sorts. Also writes the padding that
 * lets later kernels run with U = N: uniq[U..N) = -1, seg[U+1..N] = seg[U]. U goes to a device int64: no
 * host synchronisation. Out-of-range indices set the stream's error record. Thread-safe per stream. */
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include "internal.cuh"

namespace {

constexpr int kThreads = 256;

__global__ void sort_prepare(uint64_t *__restrict__ keys, int64_t *__restrict__ pos, const void *__restrict__ idx,
                             int32_t type, int64_t pad, int64_t N, int64_t V, e4j_dev_error *err) {
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < N; j += (int64_t)gridDim.x * blockDim.x) {
        int64_t v = e4j_load_index(idx, type, j);
        if (v < 0 || v >= V) {
            e4j_report(err, E4J_ERR_INDEX, K_SORT, j, v, V);
            v = V;
        } else if (v == pad) {
            v = V;
        }
        keys[j] = (uint64_t)v;
        pos[j] = j;
    }
}

__global__ void sort_heads(int32_t *__restrict__ head, const uint64_t *__restrict__ keys, int64_t N, int64_t V) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x) {
        uint64_t k = keys[i];
        head[i] = k < (uint64_t)V && (i == 0 || keys[i - 1] != k) ? 1 : 0;
    }
}

/* scan = inclusive prefix sum of head. The last valid slot (keys < V) writes U and seg[U]. */
__global__ void sort_emit(int64_t *__restrict__ uniq, int64_t *__restrict__ seg, int64_t *__restrict__ num_unique,
                          const uint64_t *__restrict__ keys, const int32_t *__restrict__ head,
                          const int32_t *__restrict__ scan, int64_t N, int64_t V) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x) {
        uint64_t k = keys[i];
        if (k >= (uint64_t)V) {
            if (i == 0) {
                *num_unique = 0;
                seg[0] = 0;
            }
            continue;
        }
        if (head[i]) {
            int64_t u = scan[i] - 1;
            uniq[u] = (int64_t)k;
            seg[u] = i;
        }
        if (i == N - 1 || keys[i + 1] >= (uint64_t)V) {
            int64_t U = scan[i];
            *num_unique = U;
            seg[U] = i + 1;
        }
    }
}

/* uniq[U..N) = -1 and seg[U+1..N] = seg[U]: launches with U = N then see empty, skipped rows.
 * perm[seg[U]..N) = -1 (the dropped padding positions), as the C and Java sorts leave it. */
__global__ void sort_pad(int64_t *__restrict__ uniq, int64_t *__restrict__ seg, int64_t *__restrict__ perm,
                         const int64_t *__restrict__ num_unique, int64_t N) {
    const int64_t U = *num_unique;
    const int64_t last = seg[U];
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t u = U + (int64_t)blockIdx.x * blockDim.x + threadIdx.x; u <= N; u += stride) {
        if (u < N) uniq[u] = -1;
        if (u > U) seg[u] = last;
    }
    for (int64_t k = last + (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < N; k += stride) perm[k] = -1;
}

__global__ void sort_empty(int64_t *seg, int64_t *num_unique) {
    seg[0] = 0;
    *num_unique = 0;
}

int end_bit_for(int64_t V) {
    int bits = 1;
    while (bits < 63 && ((int64_t)1 << bits) <= V) bits++;
    return bits; /* 2^bits > V: keys 0..V fit */
}

size_t align256(size_t x) { return (x + 255) & ~(size_t)255; }

/* Layout of the workspace: keys in/out (N u64), positions in (N i64), head and scan (N i32), CUB temp. */
size_t cub_temp_bytes(int64_t N, int64_t V) {
    size_t sort_bytes = 0, scan_bytes = 0;
    cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, (const uint64_t *)nullptr, (uint64_t *)nullptr,
                                    (const int64_t *)nullptr, (int64_t *)nullptr, (int)N, 0, end_bit_for(V));
    cub::DeviceScan::InclusiveSum(nullptr, scan_bytes, (const int32_t *)nullptr, (int32_t *)nullptr, (int)N);
    return sort_bytes > scan_bytes ? sort_bytes : scan_bytes;
}

size_t workspace_bytes(int64_t N, int64_t V) {
    size_t n = (size_t)(N > 0 ? N : 1);
    return 2 * align256(8 * n) + align256(8 * n) + 2 * align256(4 * n) + align256(cub_temp_bytes(N > 0 ? N : 1, V));
}

} // namespace

extern "C" E4J_API int64_t e4j_index_sort_workspace_bytes_cuda(int64_t N, int64_t V) {
    if (N < 0 || V < 0 || N >= INT32_MAX) return -1;
    return (int64_t)workspace_bytes(N, V);
}

extern "C" E4J_API e4j_status e4j_index_sort_cuda(int64_t *uniq, int64_t *seg, int64_t *perm, int64_t *num_unique,
                                                  const void *idx, int32_t idx_type, int64_t padding_idx, int64_t N,
                                                  int64_t V, void *workspace, int64_t workspace_bytes_given,
                                                  e4j_cuda_stream *st) {
    E4J_ENTER(st);
    E4J_TRY(e4j_check_index_type(idx_type));
    if (N < 0 || V < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "negative size N=%lld V=%lld", (long long)N, (long long)V);
    if (N >= INT32_MAX)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "index_sort_cuda supports N < 2^31, got %lld", (long long)N);
    if (N == 0) {
        sort_empty<<<1, 1, 0, st->stream>>>(seg, num_unique);
        return e4j_cuda_launched("index_sort_cuda");
    }
    size_t need = workspace_bytes(N, V);
    char *ws = (char *)workspace;
    if (ws == NULL) {
        void *p;
        E4J_TRY(e4j_cuda_scratch(st, need, &p));
        ws = (char *)p;
    } else if ((size_t)workspace_bytes_given < need) {
        return e4j_cuda_fail(E4J_ERR_WORKSPACE, "index_sort_cuda needs %zu workspace bytes, got %lld", need,
                             (long long)workspace_bytes_given);
    }
    size_t n = (size_t)N;
    uint64_t *keys_in = (uint64_t *)ws;
    ws += align256(8 * n);
    uint64_t *keys_out = (uint64_t *)ws;
    ws += align256(8 * n);
    int64_t *pos_in = (int64_t *)ws;
    ws += align256(8 * n);
    int32_t *head = (int32_t *)ws;
    ws += align256(4 * n);
    int32_t *scan = (int32_t *)ws;
    ws += align256(4 * n);
    size_t temp_bytes = cub_temp_bytes(N, V);
    void *temp = ws;

    int blocks = e4j_blocks(N, kThreads);
    sort_prepare<<<blocks, kThreads, 0, st->stream>>>(keys_in, pos_in, idx, idx_type, padding_idx, N, V, st->d_err);
    E4J_TRY(e4j_cuda_launched("index_sort_cuda (prepare)"));
    E4J_TRY(e4j_cuda_check(cub::DeviceRadixSort::SortPairs(temp, temp_bytes, keys_in, keys_out, pos_in, perm, (int)N, 0,
                                                           end_bit_for(V), st->stream),
                           "cub::DeviceRadixSort::SortPairs"));
    sort_heads<<<blocks, kThreads, 0, st->stream>>>(head, keys_out, N, V);
    E4J_TRY(e4j_cuda_launched("index_sort_cuda (heads)"));
    E4J_TRY(e4j_cuda_check(cub::DeviceScan::InclusiveSum(temp, temp_bytes, head, scan, (int)N, st->stream),
                           "cub::DeviceScan::InclusiveSum"));
    sort_emit<<<blocks, kThreads, 0, st->stream>>>(uniq, seg, num_unique, keys_out, head, scan, N, V);
    E4J_TRY(e4j_cuda_launched("index_sort_cuda (emit)"));
    sort_pad<<<e4j_blocks(N + 1, kThreads), kThreads, 0, st->stream>>>(uniq, seg, perm, num_unique, N);
    return e4j_cuda_launched("index_sort_cuda (pad)");
}
