/* Runtime of libembed4j_cuda: version, thread-local last error, device queries, stream handles with
 * their device error record and scratch cache, memory and copies.
 *
 * Error record: kernels that find bad data set e4j_dev_error (see internal.cuh); the host reads it back
 * with the synchronising calls here, turns it into a status + message and clears it, so the CUDA context
 * is never poisoned by a bad index. Thread-safety: the message is thread-local; a stream handle belongs
 * to one host thread at a time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.cuh"

#ifndef E4J_VERSION_STRING
#define E4J_VERSION_STRING "0.0.0"
#endif

static thread_local char last_error[512];

e4j_status e4j_cuda_fail(e4j_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

e4j_status e4j_cuda_check(cudaError_t e, const char *what) {
    if (e == cudaSuccess) return E4J_OK;
    return e4j_cuda_fail(E4J_ERR_CUDA, "%s (%d): %s in %s", cudaGetErrorName(e), (int)e, cudaGetErrorString(e), what);
}

e4j_status e4j_cuda_launched(const char *what) { return e4j_cuda_check(cudaGetLastError(), what); }

e4j_status e4j_cuda_enter(e4j_cuda_stream *st) {
    if (st == NULL) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "stream handle is NULL");
    int cur = -1;
    if (cudaGetDevice(&cur) != cudaSuccess || cur != st->device)
        return e4j_cuda_check(cudaSetDevice(st->device), "cudaSetDevice");
    return E4J_OK;
}

e4j_status e4j_cuda_scratch(e4j_cuda_stream *st, size_t bytes, void **out) {
    bytes = (bytes + 255) & ~(size_t)255;
    if (bytes > st->scratch_bytes) {
        if (st->scratch != NULL) {
            E4J_TRY(e4j_cuda_check(cudaFreeAsync(st->scratch, st->stream), "cudaFreeAsync(scratch)"));
            st->scratch = NULL;
            st->scratch_bytes = 0;
        }
        size_t grow = bytes + bytes / 4;
        E4J_TRY(e4j_cuda_check(cudaMallocAsync(&st->scratch, grow, st->stream), "cudaMallocAsync(scratch)"));
        st->scratch_bytes = grow;
    }
    *out = st->scratch;
    return E4J_OK;
}

extern "C" {

E4J_API const char *e4j_cuda_last_error(void) { return last_error; }
E4J_API const char *e4j_cuda_version(void) { return E4J_VERSION_STRING; }
E4J_API int32_t e4j_cuda_abi_version(void) { return E4J_ABI_VERSION; }

E4J_API e4j_status e4j_cuda_runtime_version(int32_t *runtime, int32_t *driver) {
    int r = 0, d = 0;
    cudaRuntimeGetVersion(&r);
    if (cudaDriverGetVersion(&d) != cudaSuccess) d = 0;
    if (runtime) *runtime = r;
    if (driver) *driver = d;
    return E4J_OK;
}

E4J_API e4j_status e4j_cuda_device_count(int32_t *count) {
    if (count == NULL) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "count is NULL");
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        *count = 0;
        cudaGetLastError(); /* not sticky, but leave nothing behind */
        e4j_cuda_fail(E4J_OK, "no CUDA device: cudaGetDeviceCount failed with %s (%d): %s", cudaGetErrorName(e), (int)e,
                      cudaGetErrorString(e));
        return E4J_OK;
    }
    *count = n;
    if (n == 0)
        e4j_cuda_fail(E4J_OK, "no CUDA device: cudaGetDeviceCount reported 0 devices");
    else
        last_error[0] = 0;
    return E4J_OK;
}

E4J_API e4j_status e4j_cuda_device_name(char *buf, int32_t len, int32_t device) {
    if (buf == NULL || len < 1) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "buffer is NULL or empty");
    cudaDeviceProp p;
    E4J_TRY(e4j_cuda_check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties"));
    snprintf(buf, (size_t)len, "%s", p.name);
    return E4J_OK;
}

E4J_API e4j_status e4j_cuda_device_properties(int64_t *props, int32_t device) {
    if (props == NULL) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "props is NULL");
    cudaDeviceProp p;
    E4J_TRY(e4j_cuda_check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties"));
    int clock = 0, bus = 0;
    cudaDeviceGetAttribute(&clock, cudaDevAttrMemoryClockRate, device);
    cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, device);
    props[0] = p.major;
    props[1] = p.minor;
    props[2] = p.multiProcessorCount;
    props[3] = (int64_t)p.totalGlobalMem;
    props[4] = p.l2CacheSize;
    props[5] = (int64_t)p.sharedMemPerBlockOptin;
    props[6] = bus;
    props[7] = clock;
    return E4J_OK;
}

static e4j_status stream_init(e4j_cuda_stream **out, int32_t device, cudaStream_t external, int owned) {
    if (out == NULL) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    int n = 0;
    E4J_TRY(e4j_cuda_check(cudaGetDeviceCount(&n), "cudaGetDeviceCount"));
    if (device < 0 || device >= n)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "device %d out of range [0, %d)", device, n);
    E4J_TRY(e4j_cuda_check(cudaSetDevice(device), "cudaSetDevice"));
    e4j_cuda_stream *st = (e4j_cuda_stream *)calloc(1, sizeof *st);
    if (st == NULL) return e4j_cuda_fail(E4J_ERR_CUDA, "cudaErrorMemoryAllocation: host calloc failed");
    st->device = device;
    st->owned = owned;
    e4j_status s = E4J_OK;
    if (owned)
        s = e4j_cuda_check(cudaStreamCreateWithFlags(&st->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    else
        st->stream = external;
    if (s == E4J_OK) s = e4j_cuda_check(cudaMalloc(&st->d_err, sizeof(e4j_dev_error)), "cudaMalloc(error record)");
    if (s == E4J_OK) s = e4j_cuda_check(cudaMallocHost(&st->h_err, sizeof(e4j_dev_error)), "cudaMallocHost");
    if (s == E4J_OK) s = e4j_cuda_check(cudaMemset(st->d_err, 0, sizeof(e4j_dev_error)), "cudaMemset");
    if (s == E4J_OK) s = e4j_cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    if (s != E4J_OK) {
        if (st->d_err) cudaFree(st->d_err);
        if (st->h_err) cudaFreeHost(st->h_err);
        if (owned && st->stream) cudaStreamDestroy(st->stream);
        free(st);
        return s;
    }
    *out = st;
    return E4J_OK;
}

E4J_API e4j_status e4j_cuda_stream_create(e4j_cuda_stream **out, int32_t device) {
    return stream_init(out, device, 0, 1);
}

E4J_API e4j_status e4j_cuda_stream_wrap(e4j_cuda_stream **out, int32_t device, void *cuda_stream) {
    return stream_init(out, device, (cudaStream_t)cuda_stream, 0);
}

E4J_API e4j_status e4j_cuda_stream_destroy(e4j_cuda_stream *st) {
    if (st == NULL) return E4J_OK;
    cudaSetDevice(st->device);
    e4j_status s = e4j_cuda_check(cudaStreamSynchronize(st->stream), "cudaStreamSynchronize");
    if (st->scratch) cudaFree(st->scratch);
    cudaFree(st->d_err);
    cudaFreeHost(st->h_err);
    if (st->owned) cudaStreamDestroy(st->stream);
    free(st);
    return s;
}

static const char *kernel_name(int32_t k) {
    switch (k) {
    case K_GATHER:
        return "gather_forward";
    case K_BAG:
        return "embedding_bag_forward";
    case K_SORT:
        return "index_sort";
    case K_XENT_TARGET:
        return "softmax_xent (target)";
    case K_XENT_NAN:
        return "softmax_xent (logits)";
    case K_W2V:
        return "w2v_train_chunk";
    case K_BAG_OFFSETS:
        return "embedding_bag (offsets)";
    case K_CHECK:
        return "index check";
    default:
        return "kernel";
    }
}

/* Waits for the stream, then turns a set error record into a status and clears it. */
static e4j_status sync_and_report(e4j_cuda_stream *st) {
    E4J_TRY(
        e4j_cuda_check(cudaMemcpyAsync(st->h_err, st->d_err, sizeof(e4j_dev_error), cudaMemcpyDeviceToHost, st->stream),
                       "cudaMemcpyAsync(error record)"));
    E4J_TRY(e4j_cuda_check(cudaStreamSynchronize(st->stream), "cudaStreamSynchronize"));
    e4j_dev_error e = *st->h_err;
    if (!e.flag) return E4J_OK;
    E4J_TRY(e4j_cuda_check(cudaMemsetAsync(st->d_err, 0, sizeof(e4j_dev_error), st->stream), "cudaMemsetAsync"));
    E4J_TRY(e4j_cuda_check(cudaStreamSynchronize(st->stream), "cudaStreamSynchronize"));
    if (e.kernel == K_XENT_NAN && e.value >= 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "%s: logit at row %lld, column %lld is NaN or infinite",
                             kernel_name(e.kernel), (long long)e.pos, (long long)e.value);
    if (e.kernel == K_XENT_NAN)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT,
                             "%s: a logit in row %lld is NaN or infinite; that row was not written",
                             kernel_name(e.kernel), (long long)e.pos);
    if (e.kernel == K_BAG_OFFSETS)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT,
                             "%s: offsets[%lld] = %lld breaks offsets[0] == 0 <= ... <= offsets[B] == N = %lld",
                             kernel_name(e.kernel), (long long)e.pos, (long long)e.value, (long long)e.bound);
    if (e.kernel == K_XENT_TARGET)
        return e4j_cuda_fail(static_cast<e4j_status>(e.status),
                             "%s: target %lld at row %lld is out of range [0, %lld) and not ignore_index",
                             kernel_name(e.kernel), (long long)e.value, (long long)e.pos, (long long)e.bound);
    return e4j_cuda_fail(static_cast<e4j_status>(e.status),
                         "%s: index %lld at position %lld is out of range for %lld rows (expected 0 <= index < %lld)",
                         kernel_name(e.kernel), (long long)e.value, (long long)e.pos, (long long)e.bound,
                         (long long)e.bound);
}

E4J_API e4j_status e4j_cuda_stream_synchronize(e4j_cuda_stream *st) {
    E4J_ENTER(st);
    return sync_and_report(st);
}

E4J_API e4j_status e4j_cuda_malloc(e4j_cuda_stream *st, void **ptr, int64_t bytes) {
    E4J_ENTER(st);
    if (ptr == NULL || bytes < 0)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "bad malloc of %lld bytes", (long long)bytes);
    *ptr = NULL;
    return e4j_cuda_check(cudaMalloc(ptr, bytes > 0 ? (size_t)bytes : 16), "cudaMalloc");
}

E4J_API e4j_status e4j_cuda_free(e4j_cuda_stream *st, void *ptr) {
    if (ptr == NULL) return E4J_OK;
    if (st == NULL) return e4j_cuda_check(cudaFree(ptr), "cudaFree"); /* the stream is gone: memory outlived it */
    E4J_ENTER(st);
    /* Work queued on this stream may still read the memory: cudaFree waits for the device. */
    return e4j_cuda_check(cudaFree(ptr), "cudaFree");
}

E4J_API e4j_status e4j_cuda_memset(e4j_cuda_stream *st, void *ptr, int32_t value, int64_t bytes) {
    E4J_ENTER(st);
    if (bytes <= 0) return E4J_OK;
    return e4j_cuda_check(cudaMemsetAsync(ptr, value, (size_t)bytes, st->stream), "cudaMemsetAsync");
}

E4J_API e4j_status e4j_cuda_memcpy_h2d(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes) {
    E4J_ENTER(st);
    if (bytes <= 0) return E4J_OK;
    E4J_TRY(e4j_cuda_check(cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyHostToDevice, st->stream),
                           "cudaMemcpyAsync(h2d)"));
    /* The host buffer may be pageable and freed right after: wait until it has been read. */
    return e4j_cuda_check(cudaStreamSynchronize(st->stream), "cudaStreamSynchronize");
}

E4J_API e4j_status e4j_cuda_memcpy_d2h(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes) {
    E4J_ENTER(st);
    if (bytes > 0)
        E4J_TRY(e4j_cuda_check(cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDeviceToHost, st->stream),
                               "cudaMemcpyAsync(d2h)"));
    return sync_and_report(st);
}

E4J_API e4j_status e4j_cuda_memcpy_d2d(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes) {
    E4J_ENTER(st);
    if (bytes <= 0) return E4J_OK;
    return e4j_cuda_check(cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDeviceToDevice, st->stream),
                          "cudaMemcpyAsync(d2d)");
}

} /* extern "C" */
