/* kernels.h — internal interface between the exported entry points (gather.c, bag.c, backward.c, ...)
 * and the two implementations of each primitive: *_ref.c (plain scalar loops: the C specification)
 * and *_avx2.c (AVX2+FMA intrinsics, compiled with -mavx2 -mfma only for those files).
 *
 * Entry points validate every argument and all data (index range, offsets order, ...) BEFORE writing,
 * then call the primitives of e4j_prims_get(), which trust their inputs. Primitives take a range so the
 * entry point can split work with e4j_parallel_for; each output element is produced by exactly one
 * range, in an order that does not depend on the split, so results are independent of thread count.
 *
 * Shape legend: N lookups, V rows, D dim, B bags/batch, K classes, U unique rows, Q queries.
 */
#ifndef E4J_KERNELS_H
#define E4J_KERNELS_H
#include "internal.h"

#include <stdint.h>

/* idx[i] for int32 or int64 index arrays (idx_type already validated). */
static inline int64_t e4j_idx_at(const void *idx, int32_t idx_type, int64_t i) {
    return idx_type == E4J_INT32 ? (int64_t)((const int32_t *)idx)[i] : ((const int64_t *)idx)[i];
}

/* Prefetch a row of n floats (one hint per 64-byte line); a hint never faults. */
static inline void e4j_prefetch_row(const float *p, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) __builtin_prefetch(p + i, 0, 3);
}
#define E4J_PF_ROWS 4 /* unique rows fetched ahead by the backward / update drivers */

/* Largest row slice reduced on the stack by the backward/update kernels (floats). */
#define E4J_ROW_CHUNK 1024

typedef struct e4j_gather_args {
    float *out;            /* (N,D) */
    const float *W;        /* (V,D) */
    const void *idx;       /* (N) */
    int32_t idx_type;
    int64_t N, D;
} e4j_gather_args;

typedef struct e4j_bag_args {
    float *out;            /* (B,D) */
    int64_t *argmax;       /* (B,D) max mode */
    const float *W;        /* (V,D) */
    const void *idx;       /* (N) */
    int32_t idx_type, mode;
    const int64_t *offsets;/* (B+1) */
    const float *psw;      /* (N) or NULL */
    int64_t padding_idx, D;
} e4j_bag_args;

/* Bag backward: what a position j contributes to its row, g_j (see embed4j.h). */
typedef struct e4j_bagbw_args {
    const float *dout;     /* (B,D) */
    const int64_t *offsets;/* (B+1) */
    const float *psw;      /* (N) or NULL (sum mode) */
    const int64_t *argmax; /* (B,D) max mode */
    const int32_t *bag_count; /* (B) non-padding count per bag (mean mode), or NULL: count_fn */
    const void *idx;       /* (N), for counting when bag_count is NULL */
    int32_t idx_type, mode;
    int64_t padding_idx;   /* the dropped value (-1: none dropped) */
    int64_t B, D;
} e4j_bagbw_args;

/* Constants of one optimizer step, derived once from e4j_optim (see optim.c). */
typedef struct e4j_optim_consts {
    int32_t kind, nesterov, first_step, maximize;
    float lr, momentum, dampening, weight_decay, beta1, beta2, eps;
    float adam_step_size;  /* Adam/AdamW: lr/bc1; SparseAdam: lr*sqrt(bc2)/bc1 */
    float adam_bc2_sqrt;   /* sqrt(1 - beta2^t) */
    float adamw_decay;     /* 1 - lr*wd */
} e4j_optim_consts;

/* Every primitive exists as e4j_<name>_ref (embed_ref.c, optim_ref.c, dense_ref.c) and
 * e4j_<name>_avx2 (the matching *_avx2.c); dispatch.c puts each set in a table. */
#define E4J_DECLARE_PRIMS(sfx)                                                                              \
    void e4j_gather_##sfx(const e4j_gather_args *a, int64_t n0, int64_t n1);                                \
    void e4j_bag_forward_##sfx(const e4j_bag_args *a, int64_t b0, int64_t b1);                              \
    void e4j_reduce_rows_##sfx(float *acc, const float *src, const int64_t *perm, int64_t k0, int64_t k1,   \
                               int64_t ld, int64_t n);                                                      \
    void e4j_reduce_bag_rows_##sfx(float *acc, const e4j_bagbw_args *a, const int64_t *perm, int64_t k0,    \
                                   int64_t k1, int64_t d0, int64_t n);                                      \
    void e4j_add_scaled_##sfx(float *dst, const float *src, float scale, int64_t n);                        \
    void e4j_scale_##sfx(float *dst, float scale, int64_t n);                                               \
    float e4j_dot_##sfx(const float *a, const float *b, int64_t n);                                         \
    void e4j_optim_##sfx(float *w, float *s1, float *s2, const float *g, int64_t n, const e4j_optim_consts *c); \
    double e4j_rowwise_sumsq_##sfx(const float *g, const float *w, float wd, int32_t maximize, int64_t n);  \
    void e4j_rowwise_apply_##sfx(float *w, const float *g, float lr, float denom, float wd, int32_t maximize, \
                                 int64_t n);                                                                \
    void e4j_bias_add_##sfx(float *x, const float *bias, int64_t b0, int64_t b1, int64_t K);                \
    void e4j_col_sums_##sfx(float *acc, const float *x, int64_t B, int64_t K, int64_t k0, int64_t k1);      \
    void e4j_relu_forward_##sfx(float *out, const float *in, int64_t n);                                    \
    void e4j_relu_backward_##sfx(float *din, const float *dout, const float *out, int64_t n);               \
    void e4j_dot_rows_##sfx(float *scores, const float *q, const float *W, int64_t r0, int64_t r1, int64_t D);   \
    void e4j_dot_rows_i8_##sfx(float *scores, const float *q, int64_t G, const int8_t *W, int64_t r0, int64_t r1, \
                               int64_t D);

E4J_DECLARE_PRIMS(ref)
E4J_DECLARE_PRIMS(avx2)

typedef struct e4j_prims {
    void (*gather)(const e4j_gather_args *a, int64_t n0, int64_t n1);
    void (*bag_forward)(const e4j_bag_args *a, int64_t b0, int64_t b1);
    /* acc[0..n) = sum over k in [k0,k1) of src[perm[k]*ld + (0..n)], in k order from +0. */
    void (*reduce_rows)(float *acc, const float *src, const int64_t *perm, int64_t k0, int64_t k1,
                        int64_t ld, int64_t n);
    /* acc[0..n) = sum over k of g_{perm[k]}[d0 .. d0+n) for bag backward, in k order from +0. */
    void (*reduce_bag_rows)(float *acc, const e4j_bagbw_args *a, const int64_t *perm, int64_t k0, int64_t k1,
                            int64_t d0, int64_t n);
    void (*add_scaled)(float *dst, const float *src, float scale, int64_t n); /* dst += src*scale */
    void (*scale)(float *dst, float scale, int64_t n);                         /* dst *= scale */
    float (*dot)(const float *a, const float *b, int64_t n);
    /* elementwise optimizer step on n slots (every kind but ROWWISE_ADAGRAD) */
    void (*optim)(float *w, float *s1, float *s2, const float *g, int64_t n, const e4j_optim_consts *c);
    /* row-wise Adagrad: g' = (maximize ? -g : g) + wd*w; sumsq = sum g'^2 (double); w -= lr * (g' / denom) */
    double (*rowwise_sumsq)(const float *g, const float *w, float wd, int32_t maximize, int64_t n);
    void (*rowwise_apply)(float *w, const float *g, float lr, float denom, float wd, int32_t maximize, int64_t n);
    void (*bias_add)(float *x, const float *bias, int64_t b0, int64_t b1, int64_t K);
    void (*col_sums)(float *acc, const float *x, int64_t B, int64_t K, int64_t k0, int64_t k1); /* acc[k-k0] = sum_b x[b,k] */
    void (*relu_forward)(float *out, const float *in, int64_t n);
    void (*relu_backward)(float *din, const float *dout, const float *out, int64_t n);
    /* scores[r - r0] = dot(q, W[r]) for r in [r0, r1) */
    void (*dot_rows)(float *scores, const float *q, const float *W, int64_t r0, int64_t r1, int64_t D);
    /* scores[g * (r1 - r0) + (r - r0)] = dot(q[g], (float) W8[r]) for g < G (1..4 queries), r in [r0, r1); float
     * sums, each (query, row) the same whatever G and the block */
    void (*dot_rows_i8)(float *scores, const float *q, int64_t G, const int8_t *W, int64_t r0, int64_t r1, int64_t D);
} e4j_prims;

extern const e4j_prims e4j_prims_ref;
extern const e4j_prims e4j_prims_avx2;

static inline const e4j_prims *e4j_prims_get(void) {
    return e4j_isa_level() == 1 ? &e4j_prims_avx2 : &e4j_prims_ref;
}

/* The bag b with offsets[b] <= j < offsets[b+1] (offsets validated; empty bags are skipped over). */
static inline int64_t e4j_bag_of(const int64_t *offsets, int64_t B, int64_t j) {
    int64_t lo = 0, hi = B; /* invariant: offsets[lo] <= j, answer in [lo, hi) */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offsets[mid] <= j) lo = mid; else hi = mid;
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
int32_t e4j_check_idx_type(int32_t idx_type);
/* every idx[i] in [0, V) */
int32_t e4j_check_indices(const void *idx, int32_t idx_type, int64_t N, int64_t V);
/* padding_idx == -1 or in [0, V) */
int32_t e4j_check_padding(int64_t padding_idx, int64_t V);
/* mode is sum, mean or max; per-sample weights (psw != NULL) only with sum */
int32_t e4j_check_bag_mode(int32_t mode, const float *psw);
/* B+1 offsets: offsets[0] == 0, non-decreasing, offsets[B] == N */
int32_t e4j_check_offsets(const int64_t *offsets, int64_t B, int64_t N);
/* uniq[0 .. U) strictly ascending (so each row is written by one thread) and in [0, V) (V < 0: no upper bound) */
int32_t e4j_check_uniq(const int64_t *uniq, int64_t U, int64_t V);
/* uniq as e4j_check_uniq, seg non-decreasing in [0, N] from seg[0] == 0,
 * perm[0 .. seg[U]) in [0, N) */
int32_t e4j_check_sorted(const int64_t *uniq, const int64_t *seg, const int64_t *perm, int64_t U, int64_t N, int64_t V);
/* the optimizer kind is allowed (sparse: SGD w/o momentum, ADAGRAD, ROWWISE_ADAGRAD, SPARSE_ADAM;
 * dense: SGD, ADAM, ADAMW, ADAGRAD), required state pointers present, hyper-parameters finite */
int32_t e4j_check_optim(const e4j_optim *opt, int32_t sparse, const float *state1, const float *state2);
void e4j_optim_prepare(e4j_optim_consts *c, const e4j_optim *opt);
/* grain (items per thread part) so that a part does about `work_per_part` float-ops given cost per item */
int64_t e4j_grain(int64_t cost_per_item);

#endif
