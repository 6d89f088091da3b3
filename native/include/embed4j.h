/*
 * embed4j.h — the whole C ABI of libembed4j (CPU: scalar reference + AVX2/FMA) and
 * libembed4j_cuda (same functions with the suffix _cuda, device pointers).
 *
 * Conventions (llm.c style):
 *  - Every exported function that can fail returns an e4j_status (E4J_OK = 0). The message of
 *    the last error is thread-local: e4j_last_error(). The getters (version, ABI version, CPU
 *    features, kernel level, thread count) return their value; the *_workspace_bytes() sizes
 *    return -1 for bad arguments, with a message. No function prints, exits, aborts or allocates
 *    memory that outlives the call; kernels that need scratch take a caller-provided workspace
 *    whose size a *_workspace_bytes() function tells.
 *  - Outputs first, then inputs, then sizes. Every pointer carries its shape in a comment, in the
 *    letters of the legend below: (N,D) is N rows of D contiguous elements, (1) one element,
 *    "or NULL" marks an optional pointer.
 *  - Backward functions ADD into parameter gradients (dW, dbias). Activation gradients
 *    (dlogits, din) are written.
 *  - All matrices are row-major and contiguous unless a leading dimension is given.
 *
 * Shape legend: N lookups, V vocabulary rows, D embedding dim, B bags / batch rows,
 * K classes, U unique rows touched by one call, Q queries, k results per query, E excluded
 * rows per query, n elements of a flat parameter; GEMM: M/N/K and the leading dimensions
 * lda/ldb/ldc; word2vec: T tokens, S negative-table entries, R input rows (words and subword
 * buckets), H inner nodes of the Huffman tree (hierarchical softmax), P document rows; bytes: a byte count.
 *
 * Index data: gather and bag forward take int32 or int64 indices (idx_type). All
 * other index arrays (offsets, sorted rows, permutations, targets) are int64.
 * Data-dependent checks (index range, offsets order) happen in every kernel; a failed
 * check returns an error before any output or weight is modified.
 */
#ifndef EMBED4J_H
#define EMBED4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define E4J_API __declspec(dllexport)
#else
#define E4J_API __attribute__((visibility("default")))
#endif

#define E4J_ABI_VERSION 1

typedef enum e4j_status {
    E4J_OK = 0,
    E4J_ERR_INVALID_ARGUMENT = 1, /* Java: IllegalArgumentException */
    E4J_ERR_INDEX = 2,            /* Java: IndexOutOfBoundsException */
    E4J_ERR_UNSUPPORTED = 3,      /* Java: UnsupportedOperationException */
    E4J_ERR_CUDA = 4,             /* Java: CudaException (message has the CUDA error name) */
    E4J_ERR_WORKSPACE = 5         /* workspace too small: Java: IllegalStateException */
} e4j_status;

typedef enum e4j_index_type { E4J_INT32 = 4, E4J_INT64 = 8 } e4j_index_type;

typedef enum e4j_bag_mode { E4J_BAG_SUM = 0, E4J_BAG_MEAN = 1, E4J_BAG_MAX = 2 } e4j_bag_mode;

typedef enum e4j_reduction { E4J_REDUCE_NONE = 0, E4J_REDUCE_MEAN = 1, E4J_REDUCE_SUM = 2 } e4j_reduction;

/* Optimizers, PyTorch formulas (torch.optim.*), applied by the update kernels. */
typedef enum e4j_optim_kind {
    E4J_OPT_SGD = 0,             /* momentum, dampening, nesterov; state1 = momentum buffer (NULL without momentum) */
    E4J_OPT_ADAM = 1,            /* state1 = exp_avg, state2 = exp_avg_sq; L2 weight_decay added to grad */
    E4J_OPT_ADAMW = 2,           /* decoupled weight decay: w *= 1 - lr*wd */
    E4J_OPT_ADAGRAD = 3,         /* state1 = sum of squares (elementwise); lr_decay via lr passed in */
    E4J_OPT_ROWWISE_ADAGRAD = 4, /* state1 has ONE float per row: += mean(g^2) over the row (FBGEMM) */
    E4J_OPT_SPARSE_ADAM = 5      /* lazy Adam: only touched rows' moments change (torch.optim.SparseAdam) */
} e4j_optim_kind;

typedef struct e4j_optim {
    int32_t kind;     /* e4j_optim_kind */
    int32_t nesterov; /* SGD */
    int64_t step;     /* 1-based step count after increment (bias correction for Adam family) */
    float lr;
    float momentum;  /* SGD */
    float dampening; /* SGD */
    float weight_decay;
    float beta1, beta2; /* Adam family */
    float eps;          /* Adam family, Adagrad */
    int32_t first_step; /* SGD momentum: 1 when the momentum buffer is being initialised (buf = g) */
    int32_t maximize;   /* 1: gradient ascent (PyTorch's maximize) */
} e4j_optim;

/* ---------------------------------------------------------------- runtime */

E4J_API const char *e4j_version(void);    /* e.g. "0.1.0" */
E4J_API int32_t e4j_abi_version(void);    /* E4J_ABI_VERSION */
E4J_API const char *e4j_last_error(void); /* thread-local; "" when none */
/* CPU features (bits of e4j_cpu_features), probed with CPUID and XGETBV, compiled for baseline x86-64. */
typedef enum e4j_cpu_feature {
    E4J_CPU_AVX2 = 1,    /* AVX2 (and AVX) */
    E4J_CPU_FMA = 2,     /* FMA3 */
    E4J_CPU_OS_YMM = 4,  /* the OS saves YMM state */
    E4J_CPU_AVX512 = 8,  /* AVX-512 F, BW, DQ and VL */
    E4J_CPU_OS_ZMM = 16, /* the OS saves ZMM and opmask state */
} e4j_cpu_feature;
E4J_API int32_t e4j_cpu_features(void);
/* Kernel level: 0 = scalar reference, 1 = AVX2+FMA, 2 = AVX-512 (F, BW, DQ, VL; the kernels where it pays, the
 * AVX2 ones elsewhere). A level the CPU (or OS) cannot run, or above the cap that the environment variable
 * E4J_MAX_LEVEL sets ("0", "1" or "2"; any other non-empty value: 0; it can only lower the level), is
 * E4J_ERR_UNSUPPORTED. Default after load: the highest one available under that cap. Process-wide. */
E4J_API e4j_status e4j_set_isa_level(int32_t level);
E4J_API int32_t e4j_isa_level(void);
/* Threads used inside one call (gemm, large gathers/backward); 1 = run in the caller's thread. Process-wide. */
E4J_API e4j_status e4j_set_num_threads(int32_t n);
E4J_API int32_t e4j_num_threads(void);

/* ---------------------------------------------------------------- embedding */

/* out[n,:] = W[idx[n],:]. Bit-exact copy. */
E4J_API e4j_status e4j_gather_forward(float *out /* (N,D) */, const float *W /* (V,D) */, const void *idx /* (N) */,
                                      int32_t idx_type, int64_t N, int64_t V, int64_t D);

/* Bag b covers idx[offsets[b] .. offsets[b+1]) — offsets always has B+1 entries here
 * (the Java layer adds the last one when include_last_offset is false), offsets[0] == 0,
 * non-decreasing, offsets[B] == N. Entries equal to padding_idx (-1: none) are skipped and
 * not counted. sum: Σ W[idx]*psw (psw may be NULL = 1); mean: Σ W[idx] / count; max: elementwise
 * max, argmax (B,D) gets the position j in idx that won (-1 for an empty bag). Empty bag: zeros. */
E4J_API e4j_status e4j_embedding_bag_forward(float *out /* (B,D) */, int64_t *argmax /* (B,D) max mode, else NULL */,
                                             const float *W /* (V,D) */, const void *idx /* (N) */, int32_t idx_type,
                                             const int64_t *offsets /* (B+1) */, const float *psw /* (N) or NULL */,
                                             int32_t mode, int64_t padding_idx, int64_t N, int64_t B, int64_t V,
                                             int64_t D);

/* Deterministic index sort shared by every backward / update / renorm.
 * Produces the U unique rows in ascending order, the stable permutation of positions sorted by row,
 * and segment starts: positions of row uniq[u] are perm[seg[u] .. seg[u+1]). Entries equal to
 * padding_idx (-1: none) are dropped, so seg[U] may be < N. Range-checks every index.
 * workspace: e4j_index_sort_workspace_bytes(N, V) bytes (8-byte aligned). */
E4J_API int64_t e4j_index_sort_workspace_bytes(int64_t N, int64_t V);
E4J_API e4j_status e4j_index_sort(int64_t *uniq /* (N) first U used */, int64_t *seg /* (N+1) first U+1 used */,
                                  int64_t *perm /* (N) */, int64_t *num_unique /* (1) out: U */,
                                  const void *idx /* (N) */, int32_t idx_type, int64_t padding_idx, int64_t N,
                                  int64_t V, void *workspace /* (workspace_bytes) */, int64_t workspace_bytes);

/* Embedding backward from a sort. For each unique row u, in a fixed order:
 *   g = Σ_{k in seg u} dout[perm[k],:]  (scaled by 1/count when scale_grad_by_freq)
 * compact == 0: dW[uniq[u],:] += g   (dW is (V,D))
 * compact == 1: drows[u,:]    += g   (drows is (U,D): the sparse gradient's values)
 * Deterministic and bit-identical for any thread count. */
E4J_API e4j_status e4j_embedding_backward(float *dW /* (V,D) or (U,D) */, const float *dout /* (N,D) */,
                                          const int64_t *uniq /* (U) */, const int64_t *seg /* (U+1) */,
                                          const int64_t *perm /* (N) */, int32_t scale_grad_by_freq, int32_t compact,
                                          int64_t U, int64_t N, int64_t D);

/* Bag backward from a sort of the bag's idx. Position j belongs to bag b with offsets[b] <= j < offsets[b+1].
 *   sum:  g_j = dout[b,:] * (psw ? psw[j] : 1)
 *   mean: g_j = dout[b,:] / count_b (count of non-padding entries in bag b)
 *   max:  g_j[d] = dout[b,d] if argmax[b,d] == j else 0
 * Rows accumulated as in e4j_embedding_backward (compact or dense).
 * dpsw (N) or NULL, sum mode with psw only: dpsw[j] = dot(dout[b,:], W[idx[j],:]) (written; 0 for padding). */
E4J_API e4j_status e4j_embedding_bag_backward(float *dW /* (V,D) or (U,D) */, float *dpsw /* (N) or NULL */,
                                              const float *dout /* (B,D) */,
                                              const float *W /* (V,D) for dpsw, or NULL */, const void *idx /* (N) */,
                                              int32_t idx_type, const int64_t *offsets /* (B+1) */,
                                              const float *psw /* (N) or NULL */,
                                              const int64_t *argmax /* (B,D) max mode, else NULL */,
                                              const int64_t *uniq /* (U) */, const int64_t *seg /* (U+1) */,
                                              const int64_t *perm /* (N) */, int32_t mode, int32_t compact, int64_t U,
                                              int64_t N, int64_t B, int64_t V, int64_t D);

/* Fused sparse update: backward + optimizer per unique row, no gradient buffer of V×D or U×D exists.
 * The row gradient g is reduced as in e4j_embedding_backward (compact semantics), then
 * W[uniq[u]] (and the optimizer state rows) are updated with opt. state1/state2: (V,D), or (V) for
 * ROWWISE_ADAGRAD state1; NULL when the optimizer needs none. Supported kinds: SGD (no momentum),
 * ROWWISE_ADAGRAD, ADAGRAD, SPARSE_ADAM. */
E4J_API e4j_status e4j_embedding_backward_update(float *W /* (V,D) */,
                                                 float *state1 /* (V,D), (V) ROWWISE_ADAGRAD, or NULL */,
                                                 float *state2 /* (V,D) or NULL */, const float *dout /* (N,D) */,
                                                 const int64_t *uniq /* (U) */, const int64_t *seg /* (U+1) */,
                                                 const int64_t *perm /* (N) */, int32_t scale_grad_by_freq,
                                                 const e4j_optim *opt /* (1) */, int64_t U, int64_t N, int64_t V,
                                                 int64_t D);

/* Optimizer step on U rows given their gradients (a sparse gradient: values (U,D), rows uniq). */
E4J_API e4j_status e4j_sparse_rows_update(float *W /* (V,D) */, float *state1 /* (V,D), (V) ROWWISE_ADAGRAD, or NULL */,
                                          float *state2 /* (V,D) or NULL */, const float *grows /* (U,D) */,
                                          const int64_t *uniq /* (U) */, const e4j_optim *opt /* (1) */, int64_t U,
                                          int64_t V, int64_t D);

/* Dense optimizer step: every element of a parameter of n floats. All kinds but ROWWISE_ADAGRAD / SPARSE_ADAM. */
E4J_API e4j_status e4j_dense_update(float *W /* (n) */, float *state1 /* (n) or NULL */,
                                    float *state2 /* (n) or NULL */, const float *grad /* (n) */,
                                    const e4j_optim *opt /* (1) */, int64_t n);

/* max_norm renorm (torch.embedding_renorm_): for each unique row, if ||W[r]||_p > max_norm,
 * W[r] *= max_norm / (norm + 1e-7). Once per unique row. */
E4J_API e4j_status e4j_embedding_renorm(float *W /* (V,D) */, const int64_t *uniq /* (U) */, float max_norm,
                                        float norm_type, int64_t U, int64_t V, int64_t D);

/* ---------------------------------------------------------------- dense layers */

/* C = alpha * op(A) @ op(B) + beta * C, row-major. op(A) is (M,K), op(B) is (K,N).
 * trans_a: A stored (K,M) with leading dim lda; else (M,K). Same for B. beta == 0: C is not read (NaN-safe). */
E4J_API e4j_status e4j_gemm(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A /* (M,lda), trans_a: (K,lda) */, int64_t lda,
                            const float *B /* (K,ldb), trans_b: (N,ldb) */, int64_t ldb, float beta,
                            float *C /* (M,ldc) */, int64_t ldc);

E4J_API e4j_status e4j_bias_add(float *x /* (B,K) in place */, const float *bias /* (K) */, int64_t B, int64_t K);
E4J_API e4j_status e4j_bias_backward(float *dbias /* (K) += column sums */, const float *dout /* (B,K) */, int64_t B,
                                     int64_t K);
E4J_API e4j_status e4j_relu_forward(float *out /* (n), may alias in */, const float *in /* (n) */, int64_t n);
E4J_API e4j_status e4j_relu_backward(float *din /* (n) written */, const float *dout /* (n) */,
                                     const float *out /* (n) forward output */, int64_t n);

/* Fused softmax cross-entropy (torch.nn.functional.cross_entropy with class-index targets).
 * loss: (1) for MEAN/SUM, (B) for NONE (ignored rows get 0).
 * dlogits: (B,K) written (may alias logits: the llm.c in-place trick), or NULL for loss only.
 * The gradient is that of the reduced loss (MEAN: divided by Σ weight[target] over non-ignored rows;
 * NONE: each row's own loss). MEAN with every target ignored: loss = NaN, dlogits = 0 (PyTorch).
 * weight (K) or NULL. A target outside [0,K) that is not ignore_index: E4J_ERR_INDEX.
 * A NaN or Inf in logits: E4J_ERR_INVALID_ARGUMENT naming the position; nothing written. */
E4J_API e4j_status e4j_softmax_xent(float *loss /* (1) MEAN/SUM, (B) NONE */, float *dlogits /* (B,K) or NULL */,
                                    const float *logits /* (B,K) */, const int64_t *targets /* (B) */,
                                    const float *weight /* (K) or NULL */, int64_t ignore_index, float label_smoothing,
                                    int32_t reduction, int64_t B, int64_t K);

/* ---------------------------------------------------------------- search */

/* norms[v] = ||W[v,:]||_2 */
E4J_API e4j_status e4j_row_norms(float *norms /* (V) */, const float *W /* (V,D) */, int64_t V, int64_t D);

/* For each query q: the k rows of W with the highest score, in descending order (ties: lower row first).
 * score = dot(q, W[v]) / (||q|| * norms[v]) when norms != NULL (cosine; rows with norm 0 score -inf),
 * else dot(q, W[v]). exclude (Q,E) lists rows to skip per query (-1 = unused slot), or NULL.
 * k > V - excluded: remaining slots get index -1 and score -inf. */
E4J_API e4j_status e4j_topk(int64_t *out_idx /* (Q,k) */, float *out_score /* (Q,k) */, const float *W /* (V,D) */,
                            const float *norms /* (V) or NULL */, const float *queries /* (Q,D) */,
                            const int64_t *exclude /* (Q,E) or NULL */, int64_t Q, int64_t V, int64_t D, int64_t k,
                            int64_t E);

/* The candidate scan of exact search over int8 rows (per-row scale): for each query q the k rows with the highest
 * approximate cosine, in descending order (ties: lower row first). q is scaled by a power of two into int16,
 * q16 = rint(q * 2^sh) with |q16| <= 2^B (2^B the largest power of two <= min(32767, (2^31-1) / (128*D))), the
 * dots with W8 are exact integers, and score(q, v) = ((float) dot(q16, W8[v]) * rscale[v]) * f with
 * f = (float) (2^-sh / ||q||), ||q|| = (float) sqrt(sum of (double) q_d^2): the same bits on every ISA level.
 * rscale[v] = s_v / ||x_v|| for a row x_v stored as s_v * W8[v] (s_v its int8 scale), so the score differs from the
 * float cosine by at most rscale[v] / 2 * ||q||_1 / ||q|| + 2^-sh / 2 * rscale[v] * ||W8[v]||_1 / ||q|| (plus float
 * rounding): callers rescore the candidates in float. Rows with rscale 0 and every row of a query whose norm is 0 or
 * not finite score -inf; k > V: remaining slots get index -1 and score -inf; D above (2^31-1)/128 is refused.
 * All queries share one pass over W8: each thread scores a block of rows against its queries while it is in cache. */
E4J_API int32_t e4j_topk_i8(int64_t *out_idx /* (Q,k) */, float *out_score /* (Q,k) */, const int8_t *W8 /* (V,D) */,
                            const float *rscale /* (V) */, const float *queries /* (Q,D) */, int64_t Q, int64_t V,
                            int64_t D, int64_t k);

/* ---------------------------------------------------------------- word2vec */

/* One Hogwild worker's pass over a chunk of token ids (already subsampled, -1 = sentence break).
 * Skip-gram (cbow == 0) or CBOW (cbow == 1) with negative sampling, word2vec's dynamic window
 * (b = rng % window), negatives drawn from neg_table (unigram^0.75), rng = word2vec's LCG
 * (rng = rng * 25214903917 + 11), state in/out. lr decays linearly from lr_start to lr_end across
 * the chunk. With subwords (sub_offsets != NULL) a word's input vector is the mean of the W_in rows
 * sub_ids[sub_offsets[w] .. sub_offsets[w+1]) (fastText; the word's own row included by the caller).
 * loss_sum += Σ -log σ(±x) over all pairs; pairs += number of (input, output) pairs.
 * scratch: e4j_w2v_workspace_bytes(D, window, negative) bytes.
 * Hogwild: W_in and W_out are shared by workers and updated without locks, on purpose. */
E4J_API int64_t e4j_w2v_workspace_bytes(int64_t D, int32_t window, int32_t negative);
E4J_API e4j_status e4j_w2v_train_chunk(float *W_in /* (R,D) */, float *W_out /* (V,D) */, double *loss_sum /* (1) */,
                                       int64_t *pairs /* (1) */, uint64_t *rng /* (1) */,
                                       const int32_t *tokens /* (T) */, int64_t T, const int32_t *neg_table /* (S) */,
                                       int64_t S, const int64_t *sub_offsets /* (V+1) or NULL */,
                                       const int32_t *sub_ids /* (sub_offsets[V]) or NULL */, int32_t cbow,
                                       int32_t window, int32_t negative, float lr_start, float lr_end, int64_t V,
                                       int64_t R, int64_t D, void *workspace /* (workspace_bytes) */,
                                       int64_t workspace_bytes);

/* ---------------------------------------------------------------- word2vec: hierarchical softmax, paragraph vectors */

/* mode of e4j_w2v_hs_train_chunk */
typedef enum e4j_w2v_mode {
    E4J_W2V_SKIP_GRAM = 0, /* each input predicts the center (batched over the window, as e4j_w2v_train_chunk) */
    E4J_W2V_CBOW_MEAN = 1, /* the mean of the inputs predicts the center (word2vec C's CBOW) */
    E4J_W2V_CBOW_SUM = 2   /* their sum predicts it (gensim's cbow_mean=0) */
} e4j_w2v_mode;

/* flags of e4j_w2v_hs_train_chunk (bitwise or) */
typedef enum e4j_w2v_flags {
    E4J_W2V_NO_WORD_INPUTS = 1, /* the window's words are not inputs: only the document row (PV-DBOW) */
    E4J_W2V_FREEZE_WORDS = 2    /* W_in, W_hs, W_out are only read; only W_doc learns (inferring a document) */
} e4j_w2v_flags;

/* One Hogwild worker's pass over a chunk of token ids (already subsampled, -1 = sentence break), the
 * general form of e4j_w2v_train_chunk: the outputs of a position are the center's Huffman path
 * (hierarchical softmax: codes[code_offsets[w] .. code_offsets[w+1]), each 2·n + b for inner node n = row
 * of W_hs and branch b, root first, target 1 - b as in word2vec C) and/or, with negative > 0, the center
 * and negatives from neg_table as rows of W_out (both at once is word2vec C's -hs 1 -negative K). With W_doc
 * (paragraph vectors, Le & Mikolov 2014) position t also has document row docs[t] as an input: skip-gram
 * mode is PV-DBOW (with E4J_W2V_NO_WORD_INPUTS the document row is the only input), CBOW modes are PV-DM.
 * Same dynamic window, LCG (rng, state in/out), linear lr from lr_start to lr_end across the chunk and
 * subwords as e4j_w2v_train_chunk; max_code_len bounds every code (the workspace is sized by it).
 * loss_sum += Σ -log σ(±x) over all (input, output) pairs; pairs += the pairs trained (skip-gram: inputs,
 * CBOW: positions). A bad token or doc: E4J_ERR_INDEX before any write; a bad code, negative-table or
 * subword entry: E4J_ERR_INDEX before the position that reads it is updated.
 * scratch: e4j_w2v_hs_workspace_bytes(D, window, max_code_len + negative + 1) bytes.
 * Hogwild: the weight matrices are shared by workers and updated without locks, on purpose. */
E4J_API int64_t e4j_w2v_hs_workspace_bytes(int64_t D, int32_t window, int32_t max_outputs);
E4J_API e4j_status e4j_w2v_hs_train_chunk(
    float *W_in /* (R,D) */, float *W_hs /* (H,D) or NULL */, float *W_out /* (V,D) or NULL */,
    float *W_doc /* (P,D) or NULL */, double *loss_sum /* (1) */, int64_t *pairs /* (1) */, uint64_t *rng /* (1) */,
    const int32_t *tokens /* (T) */, const int32_t *docs /* (T) or NULL */, int64_t T,
    const int64_t *code_offsets /* (V+1) or NULL */, const int32_t *codes /* (code_offsets[V]) or NULL */,
    const int32_t *neg_table /* (S) or NULL */, int64_t S, const int64_t *sub_offsets /* (V+1) or NULL */,
    const int32_t *sub_ids /* (sub_offsets[V]) or NULL */, int32_t mode, int32_t flags, int32_t window,
    int32_t negative, int32_t max_code_len, float lr_start, float lr_end, int64_t V, int64_t R, int64_t H, int64_t P,
    int64_t D, void *workspace /* (workspace_bytes) */, int64_t workspace_bytes);

#ifdef __cplusplus
}
#endif
#endif /* EMBED4J_H */
