/*
 * embed4j_cuda.h — the CUDA half of the C ABI (libembed4j_cuda, static cudart).
 *
 * The kernels are those of embed4j.h with the suffix _cuda: same arguments, same semantics, every
 * array a DEVICE pointer unless its comment says host, plus a trailing stream handle (e4j_cuda_stream*, see
 * below). Status returns and shape comments follow the conventions and the legend of embed4j.h.
 * Differences from the CPU library, all forced by asynchronous execution:
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

/* Opaque: a CUDA stream, its device, its error record and its scratch cache. Every kernel takes one as its
 * last argument, e4j_cuda_stream *st (a handle: the one pointer argument without a shape). */
typedef struct e4j_cuda_stream e4j_cuda_stream;

/* ---------------------------------------------------------------- runtime */

E4J_API const char *e4j_cuda_version(void);
E4J_API int32_t e4j_cuda_abi_version(void);    /* E4J_ABI_VERSION */
E4J_API const char *e4j_cuda_last_error(void); /* thread-local; "" when none */
/* CUDA runtime version the library was built with (e.g. 13000) and the driver's (0: no driver). */
E4J_API e4j_status e4j_cuda_runtime_version(int32_t *runtime /* (1) */, int32_t *driver /* (1) */);

/* Number of usable devices. With no driver (cudaErrorInsufficientDriver = 35) or no device, *count = 0,
 * the status is E4J_OK and e4j_cuda_last_error() says why ("skip CUDA" is the caller's business). */
E4J_API e4j_status e4j_cuda_device_count(int32_t *count /* (1) */);
/* NUL-terminated device name into buf (len bytes). */
E4J_API e4j_status e4j_cuda_device_name(char *buf /* (len) */, int32_t len, int32_t device);
/* props[0..7] = major, minor, multiprocessors, total global memory bytes, L2 bytes,
 *               max shared memory per block (opt-in) bytes, memory bus width bits, memory clock kHz. */
E4J_API e4j_status e4j_cuda_device_properties(int64_t *props /* (8) */, int32_t device);

/* Streams: one per backend instance. wrap uses an existing cudaStream_t (not destroyed with the handle). */
E4J_API e4j_status e4j_cuda_stream_create(e4j_cuda_stream **out /* (1) */, int32_t device);
E4J_API e4j_status e4j_cuda_stream_wrap(e4j_cuda_stream **out /* (1) */, int32_t device,
                                        void *cuda_stream /* (1) a cudaStream_t */);
E4J_API e4j_status e4j_cuda_stream_destroy(e4j_cuda_stream *st);
/* Waits for the stream; then reports (and clears) a kernel's error record: E4J_ERR_INDEX etc. */
E4J_API e4j_status e4j_cuda_stream_synchronize(e4j_cuda_stream *st);

/* Memory. malloc/free are device-wide (cudaMalloc/cudaFree) on the stream's device; free accepts st == NULL
 * (memory that outlives its stream handle). */
E4J_API e4j_status e4j_cuda_malloc(e4j_cuda_stream *st, void **ptr /* (1) out: device (bytes) */, int64_t bytes);
E4J_API e4j_status e4j_cuda_free(e4j_cuda_stream *st, void *ptr /* (bytes) device, from e4j_cuda_malloc */);
E4J_API e4j_status e4j_cuda_memset(e4j_cuda_stream *st, void *ptr /* (bytes) device */, int32_t value, int64_t bytes);
/* h2d: returns once the host buffer may be reused. d2h: synchronises, then reports the error record. */
E4J_API e4j_status e4j_cuda_memcpy_h2d(e4j_cuda_stream *st, void *dst /* (bytes) device */,
                                       const void *src /* (bytes) host */, int64_t bytes);
E4J_API e4j_status e4j_cuda_memcpy_d2h(e4j_cuda_stream *st, void *dst /* (bytes) host */,
                                       const void *src /* (bytes) device */, int64_t bytes);
E4J_API e4j_status e4j_cuda_memcpy_d2d(e4j_cuda_stream *st, void *dst /* (bytes) device */,
                                       const void *src /* (bytes) device */, int64_t bytes);

/* ---------------------------------------------------------------- elementwise (F32) */

E4J_API e4j_status e4j_fill_cuda(float *x /* (n) */, float value, int64_t n, e4j_cuda_stream *st);
E4J_API e4j_status e4j_axpy_cuda(float *y /* (n) */, float alpha, const float *x /* (n) */, int64_t n,
                                 e4j_cuda_stream *st);
E4J_API e4j_status e4j_scale_cuda(float *x /* (n) */, float alpha, int64_t n, e4j_cuda_stream *st);
E4J_API e4j_status e4j_mul_cuda(float *out /* (n) */, const float *a /* (n) */, const float *b /* (n) */, int64_t n,
                                e4j_cuda_stream *st);

/* ---------------------------------------------------------------- embedding */

E4J_API e4j_status e4j_gather_forward_cuda(float *out /* (N,D) */, const float *W /* (V,D) */,
                                           const void *idx /* (N) */, int32_t idx_type, int64_t N, int64_t V, int64_t D,
                                           e4j_cuda_stream *st);

E4J_API e4j_status e4j_embedding_bag_forward_cuda(float *out /* (B,D) */,
                                                  int64_t *argmax /* (B,D) max mode, else NULL */,
                                                  const float *W /* (V,D) */, const void *idx /* (N) */,
                                                  int32_t idx_type, const int64_t *offsets /* (B+1) */,
                                                  const float *psw /* (N) or NULL */, int32_t mode, int64_t padding_idx,
                                                  int64_t N, int64_t B, int64_t V, int64_t D, e4j_cuda_stream *st);

/* Radix sort of (row, position) pairs (CUB, stable). num_unique is a DEVICE int64 (1).
 * workspace NULL: the stream's cached scratch is used. */
E4J_API int64_t e4j_index_sort_workspace_bytes_cuda(int64_t N, int64_t V);
E4J_API e4j_status e4j_index_sort_cuda(int64_t *uniq /* (N) */, int64_t *seg /* (N+1) */, int64_t *perm /* (N) */,
                                       int64_t *num_unique /* (1) */, const void *idx /* (N) */, int32_t idx_type,
                                       int64_t padding_idx, int64_t N, int64_t V,
                                       void *workspace /* (workspace_bytes) or NULL */, int64_t workspace_bytes,
                                       e4j_cuda_stream *st);

E4J_API e4j_status e4j_embedding_backward_cuda(float *dW /* (V,D) or (U,D) */, const float *dout /* (N,D) */,
                                               const int64_t *uniq /* (U) */, const int64_t *seg /* (U+1) */,
                                               const int64_t *perm /* (N) */, int32_t scale_grad_by_freq,
                                               int32_t compact, int64_t U, int64_t N, int64_t D, e4j_cuda_stream *st);

E4J_API e4j_status e4j_embedding_bag_backward_cuda(
    float *dW /* (V,D) or (U,D) */, float *dpsw /* (N) or NULL */, const float *dout /* (B,D) */,
    const float *W /* (V,D) for dpsw, or NULL */, const void *idx /* (N) */, int32_t idx_type,
    const int64_t *offsets /* (B+1) */, const float *psw /* (N) or NULL */,
    const int64_t *argmax /* (B,D) max mode, else NULL */, const int64_t *uniq /* (U) */,
    const int64_t *seg /* (U+1) */, const int64_t *perm /* (N) */, int32_t mode, int32_t compact, int64_t U, int64_t N,
    int64_t B, int64_t V, int64_t D, e4j_cuda_stream *st);

/* opt is a HOST pointer (copied into the launch). */
E4J_API e4j_status e4j_embedding_backward_update_cuda(float *W /* (V,D) */,
                                                      float *state1 /* (V,D), (V) ROWWISE_ADAGRAD, or NULL */,
                                                      float *state2 /* (V,D) or NULL */, const float *dout /* (N,D) */,
                                                      const int64_t *uniq /* (U) */, const int64_t *seg /* (U+1) */,
                                                      const int64_t *perm /* (N) */, int32_t scale_grad_by_freq,
                                                      const e4j_optim *opt /* (1) host */, int64_t U, int64_t N,
                                                      int64_t V, int64_t D, e4j_cuda_stream *st);

E4J_API e4j_status e4j_sparse_rows_update_cuda(float *W /* (V,D) */,
                                               float *state1 /* (V,D), (V) ROWWISE_ADAGRAD, or NULL */,
                                               float *state2 /* (V,D) or NULL */, const float *grows /* (U,D) */,
                                               const int64_t *uniq /* (U) */, const e4j_optim *opt /* (1) host */,
                                               int64_t U, int64_t V, int64_t D, e4j_cuda_stream *st);

E4J_API e4j_status e4j_dense_update_cuda(float *W /* (n) */, float *state1 /* (n) or NULL */,
                                         float *state2 /* (n) or NULL */, const float *grad /* (n) */,
                                         const e4j_optim *opt /* (1) host */, int64_t n, e4j_cuda_stream *st);

E4J_API e4j_status e4j_embedding_renorm_cuda(float *W /* (V,D) */, const int64_t *uniq /* (U) */, float max_norm,
                                             float norm_type, int64_t U, int64_t V, int64_t D, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- dense layers */

/* FP32 SIMT gemm (shared-memory tiles, 8x8 register blocking). */
E4J_API e4j_status e4j_gemm_cuda(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                                 const float *A /* (M,lda), trans_a: (K,lda) */, int64_t lda,
                                 const float *B /* (K,ldb), trans_b: (N,ldb) */, int64_t ldb, float beta,
                                 float *C /* (M,ldc) */, int64_t ldc, e4j_cuda_stream *st);

E4J_API e4j_status e4j_bias_add_cuda(float *x /* (B,K) in place */, const float *bias /* (K) */, int64_t B, int64_t K,
                                     e4j_cuda_stream *st);
E4J_API e4j_status e4j_bias_backward_cuda(float *dbias /* (K) += column sums */, const float *dout /* (B,K) */,
                                          int64_t B, int64_t K, e4j_cuda_stream *st);
E4J_API e4j_status e4j_relu_forward_cuda(float *out /* (n), may alias in */, const float *in /* (n) */, int64_t n,
                                         e4j_cuda_stream *st);
E4J_API e4j_status e4j_relu_backward_cuda(float *din /* (n) written */, const float *dout /* (n) */,
                                          const float *out /* (n) forward output */, int64_t n, e4j_cuda_stream *st);

/* loss is a DEVICE pointer. A row with a NaN/Inf logit is not written and reported at the next sync. */
E4J_API e4j_status e4j_softmax_xent_cuda(float *loss /* (1) MEAN/SUM, (B) NONE */, float *dlogits /* (B,K) or NULL */,
                                         const float *logits /* (B,K) */, const int64_t *targets /* (B) */,
                                         const float *weight /* (K) or NULL */, int64_t ignore_index,
                                         float label_smoothing, int32_t reduction, int64_t B, int64_t K,
                                         e4j_cuda_stream *st);

/* ---------------------------------------------------------------- search */

E4J_API e4j_status e4j_row_norms_cuda(float *norms /* (V) */, const float *W /* (V,D) */, int64_t V, int64_t D,
                                      e4j_cuda_stream *st);
/* k <= 1024. */
E4J_API e4j_status e4j_topk_cuda(int64_t *out_idx /* (Q,k) */, float *out_score /* (Q,k) */, const float *W /* (V,D) */,
                                 const float *norms /* (V) or NULL */, const float *queries /* (Q,D) */,
                                 const int64_t *exclude /* (Q,E) or NULL */, int64_t Q, int64_t V, int64_t D, int64_t k,
                                 int64_t E, e4j_cuda_stream *st);

/* ---------------------------------------------------------------- validation (strict mode)
 * Read-only passes that set the error record like the kernels above: run one, synchronise, and a bad input is
 * reported before any output is written. idx in [0,V); offsets[0] == 0 <= ... <= offsets[B] == N; logits finite
 * and targets in [0,K) or ignore_index. */
E4J_API e4j_status e4j_check_indices_cuda(const void *idx /* (N) */, int32_t idx_type, int64_t N, int64_t V,
                                          e4j_cuda_stream *st);
E4J_API e4j_status e4j_check_offsets_cuda(const int64_t *offsets /* (B+1) */, int64_t B, int64_t N,
                                          e4j_cuda_stream *st);
E4J_API e4j_status e4j_check_logits_cuda(const float *logits /* (B,K) */, const int64_t *targets /* (B) */,
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
E4J_API e4j_status e4j_w2v_train_chunk_cuda(float *W_in /* (R,D) */, float *W_out /* (V,D) */,
                                            double *loss_sum /* (1) */, int64_t *pairs /* (1) */, uint64_t seed,
                                            const int32_t *tokens /* (T) */, int64_t T,
                                            const int32_t *neg_table /* (S) */, int64_t S,
                                            const int64_t *sub_offsets /* (V+1), must be NULL */,
                                            const int32_t *sub_ids /* (sub_offsets[V]), must be NULL */, int32_t cbow,
                                            int32_t window, int32_t negative, float lr_start, float lr_end, int64_t V,
                                            int64_t R, int64_t D, e4j_cuda_stream *st);

#ifdef __cplusplus
}
#endif
#endif /* EMBED4J_CUDA_H */
