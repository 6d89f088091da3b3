/*
 * embed4j_cuda.h — the CUDA half of the C ABI (libembed4j_cuda, static cudart).
 *
 * The kernels are those of embed4j.h with the suffix _cuda: same arguments, same semantics, every
 * array a DEVICE pointer, plus a trailing stream handle (e4j_cuda_stream*, see below). Shapes use the
 * legend of embed4j.h. Differences from the CPU library, all forced by asynchronous execution:
 *
 *  - Data-dependent errors (an index outside [0,V), a target outside [0,K), a NaN in logits) are found
 *    on the device. The kernel sets an error record in the stream handle and carries on without reading
 *    out of bounds (a bad gather row is written as zeros; a bad softmax row is not written). The error
 *    is returned as E4J_ERR_INDEX / E4J_ERR_INVALID_ARGUMENT, naming kernel, position and value, by the
 *    next e4j_cuda_stream_synchronize or device-to-host copy on that stream; the record is then cleared
 *    and the context stays usable. There is never a device-side assert (pytorch#19120).
 *    Every backward / update / renorm consumes an index sort; the sort range-checks, so a caller that
 *    synchronises after the sort (the Java backend does, to learn U) sees a bad index before any weight
 *    is modified.
 *  - Launch and API failures return E4J_ERR_CUDA at once, with the CUDA error name in the message.
 *  - No launcher synchronises with the host, except the copies to the host and e4j_cuda_stream_synchronize.
 *    e4j_index_sort_cuda writes U to DEVICE memory and pads its outputs (uniq[U..N) = -1,
 *    seg[U+1..N] = seg[U]) so that later kernels may be launched with U = N, an upper bound, without
 *    reading U back: rows with uniq < 0 are skipped. A whole training step can be graph-captured.
 *  - Scratch memory a kernel needs beyond the caller's arguments (index-sort workspace when the caller
 *    passes none, softmax per-row partials, top-k scores, bag counts) comes from a per-stream cached
 *    allocation (stream-ordered, grown on demand, freed with the stream).
 *
 * Determinism: everything except the word2vec step (Hogwild, on purpose) is deterministic and bit-identical
 * across runs: reductions happen in a fixed order per row or in a fixed tree, never with float atomics.
 *
 * Threads: a stream handle must not be used by two host threads at once. The last-error message is
 * thread-local, as in the CPU library (read it with e4j_cuda_last_error, this library's own copy).
 */
#ifndef EMBED4J_CUDA_H
#define EMBED4J_CUDA_H

#include "embed4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: a CUDA stream, its device, its error record and its scratch cache. */
typedef struct e4j_cuda_stream e4j_cuda_stream;

/* ---------------------------------------------------------------- runtime */

E4J_API const char *e4j_cuda_version(void);
E4J_API int32_t e4j_cuda_abi_version(void);      /* E4J_ABI_VERSION */
E4J_API const char *e4j_cuda_last_error(void);   /* thread-local; "" when none */
/* CUDA runtime version the library was built with (e.g. 13000) and the driver's (0: no driver). */
E4J_API int32_t e4j_cuda_runtime_version(int32_t *runtime, int32_t *driver);

/* Number of usable devices. With no driver (cudaErrorInsufficientDriver = 35) or no device, *count = 0,
 * the status is E4J_OK and e4j_cuda_last_error() says why ("skip CUDA" is the caller's business). */
E4J_API int32_t e4j_cuda_device_count(int32_t *count);
/* NUL-terminated device name into buf (len bytes). */
E4J_API int32_t e4j_cuda_device_name(char *buf, int32_t len, int32_t device);
/* props[0..7] = major, minor, multiprocessors, total global memory bytes, L2 bytes,
 *               max shared memory per block (opt-in) bytes, memory bus width bits, memory clock kHz. */
E4J_API int32_t e4j_cuda_device_properties(int64_t *props /* (8) */, int32_t device);

/* Streams: one per backend instance. wrap uses an existing cudaStream_t (not destroyed with the handle). */
E4J_API int32_t e4j_cuda_stream_create(e4j_cuda_stream **out, int32_t device);
E4J_API int32_t e4j_cuda_stream_wrap(e4j_cuda_stream **out, int32_t device, void *cuda_stream);
E4J_API int32_t e4j_cuda_stream_destroy(e4j_cuda_stream *st);
/* Waits for the stream; then reports (and clears) a kernel's error record: E4J_ERR_INDEX etc. */
E4J_API int32_t e4j_cuda_stream_synchronize(e4j_cuda_stream *st);

/* Memory. malloc/free are device-wide (cudaMalloc/cudaFree) on the stream's device; free accepts st == NULL
 * (memory that outlives its stream handle). */
E4J_API int32_t e4j_cuda_malloc(e4j_cuda_stream *st, void **ptr, int64_t bytes);
E4J_API int32_t e4j_cuda_free(e4j_cuda_stream *st, void *ptr);
E4J_API int32_t e4j_cuda_memset(e4j_cuda_stream *st, void *ptr, int32_t value, int64_t bytes);
/* h2d: returns once the host buffer may be reused. d2h: synchronises, then reports the error record. */
E4J_API int32_t e4j_cuda_memcpy_h2d(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes);
E4J_API int32_t e4j_cuda_memcpy_d2h(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes);
E4J_API int32_t e4j_cuda_memcpy_d2d(e4j_cuda_stream *st, void *dst, const void *src, int64_t bytes);

/* ---------------------------------------------------------------- elementwise (F32) */

E4J_API int32_t e4j_fill_cuda(float *x /* (n) */, float value, int64_t n, e4j_cuda_stream *st);
E4J_API int32_t e4j_axpy_cuda(float *y /* (n) */, float alpha, const float *x /* (n) */, int64_t n, e4j_cuda_stream *st);
E4J_API int32_t e4j_scale_cuda(float *x /* (n) */, float alpha, int64_t n, e4j_cuda_stream *st);
E4J_API int32_t e4j_mul_cuda(float *out /* (n) */, const float *a /* (n) */, const float *b /* (n) */, int64_t n,
                             e4j_cuda_stream *st);

/* ---------------------------------------------------------------- embedding */

E4J_API int32_t e4j_gather_forward_cuda(float *out, const float *W, const void *idx, int32_t idx_type,
                                        int64_t N, int64_t V, int64_t D, e4j_cuda_stream *st);

E4J_API int32_t e4j_embedding_bag_forward_cuda(float *out, int64_t *argmax, const float *W, const void *idx,
                                               int32_t idx_type, const int64_t *offsets, const float *psw,
                                               int32_t mode, int64_t padding_idx,
                                               int64_t N, int64_t B, int64_t V, int64_t D, e4j_cuda_stream *st);

/* Radix sort of (row, position) pairs (CUB, stable). num_unique is a DEVICE int64 (1).
 * workspace NULL: the stream's cached scratch is used. */
E4J_API int64_t e4j_index_sort_workspace_bytes_cuda(int64_t N, int64_t V);
E4J_API int32_t e4j_index_sort_cuda(int64_t *uniq /* (N) */, int64_t *seg /* (N+1) */, int64_t *perm /* (N) */,
                                    int64_t *num_unique /* (1) device */, const void *idx, int32_t idx_type,
                                    int64_t padding_idx, int64_t N, int64_t V,
                                    void *workspace, int64_t workspace_bytes, e4j_cuda_stream *st);

E4J_API int32_t e4j_embedding_backward_cuda(float *dW, const float *dout, const int64_t *uniq, const int64_t *seg,
                                            const int64_t *perm, int32_t scale_grad_by_freq, int32_t compact,
                                            int64_t U, int64_t N, int64_t D, e4j_cuda_stream *st);

E4J_API int32_t e4j_embedding_bag_backward_cuda(float *dW, float *dpsw, const float *dout, const float *W,
                                                const void *idx, int32_t idx_type, const int64_t *offsets,
                                                const float *psw, const int64_t *argmax,
                                                const int64_t *uniq, const int64_t *seg, const int64_t *perm,
                                                int32_t mode, int32_t compact,
                                                int64_t U, int64_t N, int64_t B, int64_t V, int64_t D,
                                                e4j_cuda_stream *st);

/* opt is a HOST pointer (copied into the launch). */
E4J_API int32_t e4j_embedding_backward_update_cuda(float *W, float *state1, float *state2, const float *dout,
                                                   const int64_t *uniq, const int64_t *seg, const int64_t *perm,
                                                   int32_t scale_grad_by_freq, const e4j_optim *opt,
                                                   int64_t U, int64_t N, int64_t V, int64_t D, e4j_cuda_stream *st);

E4J_API int32_t e4j_sparse_rows_update_cuda(float *W, float *state1, float *state2, const float *grows,
                                            const int64_t *uniq, const e4j_optim *opt, int64_t U, int64_t V,
                                            int64_t D, e4j_cuda_stream *st);

E4J_API int32_t e4j_dense_update_cuda(float *W, float *state1, float *state2, const float *grad,
                                      const e4j_optim *opt, int64_t n, e4j_cuda_stream *st);

E4J_API int32_t e4j_embedding_renorm_cuda(float *W, const int64_t *uniq, float max_norm, float norm_type,
                                          int64_t U, int64_t V, int64_t D, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- dense layers */

/* FP32 SIMT gemm (shared-memory tiles, 8x8 register blocking). */
E4J_API int32_t e4j_gemm_cuda(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K,
                              float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                              float beta, float *C, int64_t ldc, e4j_cuda_stream *st);

E4J_API int32_t e4j_bias_add_cuda(float *x, const float *bias, int64_t B, int64_t K, e4j_cuda_stream *st);
E4J_API int32_t e4j_bias_backward_cuda(float *dbias, const float *dout, int64_t B, int64_t K, e4j_cuda_stream *st);
E4J_API int32_t e4j_relu_forward_cuda(float *out, const float *in, int64_t n, e4j_cuda_stream *st);
E4J_API int32_t e4j_relu_backward_cuda(float *din, const float *dout, const float *out, int64_t n,
                                       e4j_cuda_stream *st);

/* loss is a DEVICE pointer. A row with a NaN/Inf logit is not written and reported at the next sync. */
E4J_API int32_t e4j_softmax_xent_cuda(float *loss, float *dlogits, const float *logits, const int64_t *targets,
                                      const float *weight, int64_t ignore_index, float label_smoothing,
                                      int32_t reduction, int64_t B, int64_t K, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- search */

E4J_API int32_t e4j_row_norms_cuda(float *norms, const float *W, int64_t V, int64_t D, e4j_cuda_stream *st);
/* k <= 1024. */
E4J_API int32_t e4j_topk_cuda(int64_t *out_idx, float *out_score, const float *W, const float *norms,
                              const float *queries, const int64_t *exclude, int64_t Q, int64_t V, int64_t D,
                              int64_t k, int64_t E, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- validation (strict mode)
 * Read-only passes that set the error record like the kernels above: run one, synchronise, and a bad input is
 * reported before any output is written. idx in [0,V); offsets[0] == 0 <= ... <= offsets[B] == N; logits finite
 * and targets in [0,K) or ignore_index. */
E4J_API int32_t e4j_check_indices_cuda(const void *idx, int32_t idx_type, int64_t N, int64_t V, e4j_cuda_stream *st);
E4J_API int32_t e4j_check_offsets_cuda(const int64_t *offsets /* (B+1) */, int64_t B, int64_t N, e4j_cuda_stream *st);
E4J_API int32_t e4j_check_logits_cuda(const float *logits /* (B,K) */, const int64_t *targets /* (B) */,
                                      int64_t ignore_index, int64_t B, int64_t K, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- word2vec */

/* Skip-gram (cbow 0) or CBOW (cbow 1) negative sampling over a chunk of T device tokens (-1 = sentence
 * break), batched: one warp per centre position, all positions at once. Per centre, word2vec's dynamic
 * window (b = rng % window) and `negative` negatives drawn once and shared by the centre's context pairs;
 * the output rows' updates are accumulated over the window and applied at its end. rng: a per-position
 * stream derived from `seed`. lr decays linearly from lr_start to lr_end across the chunk's positions.
 * loss_sum (device double) += Σ -log σ(±x); pairs (device int64) += (input, output) pairs.
 * Hogwild: rows shared between warps are updated without locks, on purpose (as word2vec's threads are).
 * Subwords are not supported (sub_offsets must be NULL). D <= 512. */
E4J_API int32_t e4j_w2v_train_chunk_cuda(float *W_in, float *W_out, double *loss_sum, int64_t *pairs,
                                         uint64_t seed, const int32_t *tokens, int64_t T,
                                         const int32_t *neg_table, int64_t S,
                                         const int64_t *sub_offsets, const int32_t *sub_ids,
                                         int32_t cbow, int32_t window, int32_t negative,
                                         float lr_start, float lr_end, int64_t V, int64_t R, int64_t D,
                                         e4j_cuda_stream *st);

#ifdef __cplusplus
}
#endif
#endif /* EMBED4J_CUDA_H */
