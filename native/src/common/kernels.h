/* kernels.h — internal interface between the exported entry points (src/api) and the implementations of each
 * primitive: src/ref (plain scalar loops: the C specification), src/avx2 (AVX2+FMA intrinsics; only that
 * directory is compiled with -mavx2 -mfma) and, for the primitives where it pays, src/avx512 (AVX-512 F, BW, DQ,
 * VL; only that directory is compiled with -mavx512*).
 *
 * Entry points validate every argument and all data (index range, offsets order, ...) BEFORE writing,
 * then call the primitives of e4j_prims_get(), which trust their inputs. Primitives take a range so the
 * entry point can split work with e4j_parallel_for; each output element is produced by exactly one
 * range, in an order that does not depend on the split, so results are independent of thread count.
 *
 * Shape legend (embed4j.h's): N lookups, V rows, D dim, B bags/batch, K classes, U unique rows, Q queries,
 * n elements. A primitive on a range [x0, x1) takes whole arrays, indexed up to x1, e.g. (x1,D), and writes
 * a buffer of the range's own length, e.g. (x1-x0).
 */
#ifndef E4J_KERNELS_H
#define E4J_KERNELS_H
#include "internal.h"
#include "w2v.h"
#include "w2v_hs.h"
#include "xent.h"

#include <stdint.h>

/* idx[i] for int32 or int64 index arrays (idx_type already validated). */
static inline int64_t e4j_idx_at(const void *idx, int32_t idx_type, int64_t i) {
    return idx_type == E4J_INT32 ? (int64_t)((const int32_t *)idx)[i] : ((const int64_t *)idx)[i];
}

/* prefetcht0 of the line holding p (a hint: never faults). An asm statement rather than __builtin_prefetch,
 * which GCC 12 counts as free of side effects and deletes, with the loop around it, from some loops (the
 * whole-row prefetch of a bag kernel vanished that way); a volatile asm is always emitted. prefetcht0 is SSE,
 * so this runs on baseline x86-64 and needs no -mavx2. */
static inline void e4j_prefetch(const void *p) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p, 0, 3);
#endif
}

/* Prefetch a row of n floats into L1 (one hint per 64 bytes from p). The one copy for the drivers and the
 * vector kernels. */
static inline void e4j_prefetch_row(const float *p, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) e4j_prefetch(p + i);
}
#define E4J_PF_ROWS 4 /* unique rows fetched ahead by the backward / update drivers */

/* Every 64-byte line of a row of n floats at p (prefetcht0), also the last one when the row does not end on a
 * line boundary: the rows of a gather or a bag are random DRAM reads, and a line left to the demand load stalls
 * the loop. */
static inline void e4j_prefetch_row_all(const float *p, int64_t n) {
    e4j_prefetch_row(p, n);
    if (n & 15) e4j_prefetch(p + n - 1);
}

/* Rows a bag-forward kernel prefetches ahead: 16 (FBGEMM's distance, the best measured for rows of 128..1024
 * bytes on Zen 4), fewer for rows over 1 KiB so that at most ~16 KiB are in flight. */
static inline int64_t e4j_bag_pf_rows(int64_t D) {
    const int64_t rows = (int64_t)4096 / (D > 0 ? D : 1);
    return rows > 16 ? 16 : rows < 2 ? 2 : rows;
}

/* Largest row slice reduced on the stack by the backward/update kernels (floats). */
#define E4J_ROW_CHUNK 1024

typedef struct e4j_gather_args {
    float *out;      /* (N,D) */
    const float *W;  /* (V,D) */
    const void *idx; /* (N) */
    int32_t idx_type;
    int64_t N, D;
} e4j_gather_args;

typedef struct e4j_bag_args {
    float *out;      /* (B,D) */
    int64_t *argmax; /* (B,D) max mode */
    const float *W;  /* (V,D) */
    const void *idx; /* (N) */
    int32_t idx_type, mode;
    const int64_t *offsets; /* (B+1) */
    const float *psw;       /* (N) or NULL */
    int64_t padding_idx, D;
} e4j_bag_args;

/* Bag backward: what a position j contributes to its row, g_j (see embed4j.h). */
typedef struct e4j_bagbw_args {
    const float *dout;        /* (B,D) */
    const int64_t *offsets;   /* (B+1) */
    const float *psw;         /* (N) or NULL (sum mode) */
    const int64_t *argmax;    /* (B,D) max mode */
    const int32_t *bag_count; /* (B) non-padding count per bag (mean mode), or NULL: count_fn */
    const void *idx;          /* (N), for counting when bag_count is NULL */
    int32_t idx_type, mode;
    int64_t padding_idx; /* the dropped value (-1: none dropped) */
    int64_t B, D;
} e4j_bagbw_args;

/* Constants of one optimizer step, derived once from e4j_optim (e4j_optim_prepare, check.c). */
typedef struct e4j_optim_consts {
    int32_t kind, nesterov, first_step, maximize;
    float lr, momentum, dampening, weight_decay, beta1, beta2, eps;
    float adam_step_size; /* Adam/AdamW: lr/bc1; SparseAdam: lr*sqrt(bc2)/bc1 */
    float adam_bc2_sqrt;  /* sqrt(1 - beta2^t) */
    float adamw_decay;    /* 1 - lr*wd */
} e4j_optim_consts;

/* The primitives, one list: X(return type, name, parameters). Each exists as e4j_<name>_ref (src/ref) and
 * e4j_<name>_avx2 (src/avx2); the list declares both, makes the fields of e4j_prims and fills the three tables
 * of dispatch.c, so a primitive cannot be missing from any. Level 2 (AVX-512) runs e4j_<name>_avx512 for the
 * primitives of E4J_PRIMS_AVX512 below and the AVX2 one for the others. The entry points call them only through
 * e4j_prims_get().
 * gemm: e4j_gemm has checked M, N, K > 0, the leading dimensions and alpha != 0; beta == 0: C is never read.
 *   ref: single-threaded, double accumulation; avx2: packed panels on e4j_threads threads, each C element
 *   reduced in an order independent of the thread count.
 * w2v_train: E4J_ERR_INDEX for a bad negative-table or subword entry (the entry point checked the rest).
 * w2v_hs_train: the same, and for a bad Huffman code (e4j_w2v_hs_position reads and checks them). */
#define E4J_PRIMS(X)                                                                                                      \
    X(void, gather, (const e4j_gather_args *a /* (1) */, int64_t n0, int64_t n1))                                         \
    X(void, bag_forward, (const e4j_bag_args *a /* (1) */, int64_t b0, int64_t b1))                                       \
    /* acc[0..n) = sum over k in [k0,k1) of src[perm[k]*ld + (0..n)], in k order from +0 */                               \
    X(void, reduce_rows,                                                                                                  \
      (float *acc /* (n) */, const float *src /* rows of ld floats */, const int64_t *perm /* (k1) */, int64_t k0,        \
       int64_t k1, int64_t ld, int64_t n))                                                                                \
    /* acc[0..n) = sum over k of g_{perm[k]}[d0 .. d0+n) for bag backward, in k order from +0 */                          \
    X(void, reduce_bag_rows,                                                                                              \
      (float *acc /* (n) */, const e4j_bagbw_args *a /* (1) */, const int64_t *perm /* (k1) */, int64_t k0,               \
       int64_t k1, int64_t d0, int64_t n))                                                                                \
    /* dst += src*scale */                                                                                                \
    X(void, add_scaled, (float *dst /* (n) */, const float *src /* (n) */, float scale, int64_t n))                       \
    /* dst *= scale */                                                                                                    \
    X(void, scale, (float *dst /* (n) */, float scale, int64_t n))                                                        \
    X(float, dot, (const float *a /* (n) */, const float *b /* (n) */, int64_t n))                                        \
    /* elementwise optimizer step on n slots (every kind but ROWWISE_ADAGRAD) */                                          \
    X(void, optim,                                                                                                        \
      (float *w /* (n) */, float *s1 /* (n) or NULL */, float *s2 /* (n) or NULL */, const float *g /* (n) */,            \
       int64_t n, const e4j_optim_consts *c /* (1) */))                                                                   \
    /* row-wise Adagrad: g' = (maximize ? -g : g) + wd*w; sumsq = sum g'^2 (double); w -= lr * (g' / denom) */            \
    X(double, rowwise_sumsq,                                                                                              \
      (const float *g /* (n) */, const float *w /* (n) */, float wd, int32_t maximize, int64_t n))                        \
    X(void, rowwise_apply,                                                                                                \
      (float *w /* (n) */, const float *g /* (n) */, float lr, float denom, float wd, int32_t maximize, int64_t n))       \
    /* x[b,:] += bias for b in [b0, b1) */                                                                                \
    X(void, bias_add, (float *x /* (b1,K) */, const float *bias /* (K) */, int64_t b0, int64_t b1, int64_t K))            \
    /* acc[k-k0] = sum_b x[b,k] */                                                                                        \
    X(void, col_sums,                                                                                                     \
      (float *acc /* (k1-k0) */, const float *x /* (B,K) */, int64_t B, int64_t K, int64_t k0, int64_t k1))               \
    X(void, relu_forward, (float *out /* (n) */, const float *in /* (n) */, int64_t n))                                   \
    X(void, relu_backward, (float *din /* (n) */, const float *dout /* (n) */, const float *out /* (n) */, int64_t n))    \
    /* scores[r - r0] = dot(q, W[r]) for r in [r0, r1) */                                                                 \
    X(void, dot_rows,                                                                                                     \
      (float *scores /* (r1-r0) */, const float *q /* (D) */, const float *W /* (r1,D) */, int64_t r0, int64_t r1,        \
       int64_t D))                                                                                                        \
    /* dots[g*n + (r-r0)] = sum_d q[g*D+d] * W[r*ldw+d] for g < G, r in [r0, r1), n = r1-r0: exact int32 sums, the      \
     * same at every level (e4j_topk_i8 keeps |q| <= (2^31-1)/(128*D), so no sum overflows) */ \
    X(void, dot_rows_i8,                                                                                                  \
      (int32_t *const dots /* (G,n) */, const int16_t *q /* (G,D) */, int64_t G, const int8_t *W /* (r1,ldw) */,          \
       int64_t ldw, int64_t r0, int64_t r1, int64_t D))                                                                   \
    /* softmax cross-entropy of rows [i0, i1): the sum of their losses, in an order fixed by i0, i1 (xent.h) */           \
    X(double, xent_rows, (const e4j_xent_args *a /* (1) */, int64_t i0, int64_t i1))                                      \
    /* 1 when all n floats are finite (the pre-check; xent.c names the first bad position when not) */                    \
    X(int, all_finite, (const float *x /* (n) */, int64_t n))                                                             \
    /* 1 when every target is ignore_index or in [0, K); *counted = the number of non-ignored targets */                  \
    X(int, xent_targets_ok,                                                                                               \
      (const int64_t *t /* (B) */, int64_t B, int64_t K, int64_t ignore_index, int64_t *counted /* (1) */))               \
    /* C (M,N) = alpha*op(A)*op(B) + beta*C, arguments checked by e4j_gemm (see above) */                                 \
    X(void, gemm,                                                                                                         \
      (int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha,                                    \
       const float *A /* (M,lda), trans_a: (K,lda) */, int64_t lda, const float *B /* (K,ldb), trans_b: (N,ldb) */,       \
       int64_t ldb, float beta, float *C /* (M,ldc) */, int64_t ldc))                                                     \
    /* one worker's word2vec pass over a checked chunk (w2v.h) */                                                         \
    X(e4j_status, w2v_train,                                                                                              \
      (const e4j_w2v_args *a /* (1) */, double *loss_sum /* (1) */, int64_t *pairs /* (1) */,                             \
       uint64_t *rng /* (1) */))                                                                                          \
    /* one worker's pass of the general word2vec kernel (hierarchical softmax, documents) over a checked chunk */         \
    X(e4j_status, w2v_hs_train,                                                                                           \
      (const e4j_w2v_hs_args *a /* (1) */, double *loss_sum /* (1) */, int64_t *pairs /* (1) */,                          \
       uint64_t *rng /* (1) */))

/* The primitives with an AVX-512 implementation e4j_<name>_avx512 (src/avx512), same parameters as the AVX2 one:
 * the other primitives run their AVX2 version at level 2. */
#define E4J_PRIMS_AVX512(X) \
    X(bag_forward) X(xent_rows) X(all_finite) X(xent_targets_ok) X(gemm) X(dot_rows_i8) X(w2v_train)

#define E4J_DECLARE_REF(ret, name, params) ret e4j_##name##_ref params;
#define E4J_DECLARE_AVX2(ret, name, params) ret e4j_##name##_avx2 params;
#define E4J_DECLARE_AVX512(name) __typeof__(e4j_##name##_avx2) e4j_##name##_avx512;
#define E4J_PRIM_FIELD(ret, name, params) ret(*name) params;
E4J_PRIMS(E4J_DECLARE_REF)
E4J_PRIMS(E4J_DECLARE_AVX2)
E4J_PRIMS_AVX512(E4J_DECLARE_AVX512)

typedef struct e4j_prims {
    E4J_PRIMS(E4J_PRIM_FIELD)
} e4j_prims;

extern const e4j_prims e4j_prims_ref;
extern const e4j_prims e4j_prims_avx2;
extern const e4j_prims e4j_prims_avx512;

static inline const e4j_prims *e4j_prims_get(void) {
    const int32_t level = e4j_isa_level();
    return level == 2 ? &e4j_prims_avx512 : level == 1 ? &e4j_prims_avx2 : &e4j_prims_ref;
}

/* The bag b with offsets[b] <= j < offsets[b+1] (offsets validated; empty bags are skipped over). */
static inline int64_t e4j_bag_of(const int64_t *offsets, int64_t B, int64_t j) {
    int64_t lo = 0, hi = B; /* invariant: offsets[lo] <= j, answer in [lo, hi) */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offsets[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Non-padding entries of bag b (mean mode divisor), from the table when there is one. */
static inline int64_t e4j_bag_count(const e4j_bagbw_args *a, int64_t b) {
    if (a->bag_count) return a->bag_count[b];
    int64_t c = 0;
    for (int64_t i = a->offsets[b]; i < a->offsets[b + 1]; i++)
        c += e4j_idx_at(a->idx, a->idx_type, i) != a->padding_idx;
    return c;
}

/* ---- checks shared by the entry points (check.c); each returns E4J_OK or a status with a message. */
e4j_status e4j_check_idx_type(int32_t idx_type);
/* every idx[i] in [0, V) */
e4j_status e4j_check_indices(const void *idx, int32_t idx_type, int64_t N, int64_t V);
/* padding_idx == -1 or in [0, V) */
e4j_status e4j_check_padding(int64_t padding_idx, int64_t V);
/* mode is sum, mean or max; per-sample weights (psw != NULL) only with sum */
e4j_status e4j_check_bag_mode(int32_t mode, const float *psw);
/* B+1 offsets: offsets[0] == 0, non-decreasing, offsets[B] == N */
e4j_status e4j_check_offsets(const int64_t *offsets, int64_t B, int64_t N);
/* uniq[0 .. U) strictly ascending (so each row is written by one thread) and in [0, V) (V < 0: no upper bound) */
e4j_status e4j_check_uniq(const int64_t *uniq, int64_t U, int64_t V);
/* uniq as e4j_check_uniq, seg non-decreasing in [0, N] from seg[0] == 0,
 * perm[0 .. seg[U]) in [0, N) */
e4j_status e4j_check_sorted(const int64_t *uniq, const int64_t *seg, const int64_t *perm, int64_t U, int64_t N,
                            int64_t V);
/* the optimizer kind is allowed (sparse: SGD w/o momentum, ADAGRAD, ROWWISE_ADAGRAD, SPARSE_ADAM;
 * dense: SGD, ADAM, ADAMW, ADAGRAD), required state pointers present, hyper-parameters finite */
e4j_status e4j_check_optim(const e4j_optim *opt, int32_t sparse, const float *state1, const float *state2);
void e4j_optim_prepare(e4j_optim_consts *c, const e4j_optim *opt);
/* grain (items per thread part) so that a part does about `work_per_part` float-ops given cost per item */
int64_t e4j_grain(int64_t cost_per_item);

#endif
