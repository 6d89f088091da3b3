/* w2v.h — internal to the word2vec kernel (api/w2v.c, ref/w2v_ref.c, avx2/w2v_avx2.c, avx512/w2v_avx512.c; the w2v_train
 * primitive of kernels.h); not part of the ABI.
 *
 * The kernel's semantics, shared by the scalar reference, the AVX2 path and the Java reference
 * (org.embed4j.backend.Word2VecReference):
 *
 *  tokens are cut into sentences at -1; a window never crosses a sentence or the chunk's ends.
 *  For each token position t (not -1), in order:
 *    lr   = lr_start + (lr_end - lr_start) * (float)(t / (double)T)
 *    rng  = rng * 25214903917 + 11;  b = rng % window          (word2vec's dynamic window)
 *    K times: rng = rng * 25214903917 + 11;  n_k = neg_table[(rng >> 16) % S]
 *             (negatives are drawn for every position, also one without contexts, so the RNG
 *              stream does not depend on the weights; n_k == center is masked out, not redrawn)
 *    contexts c_1..c_C: tokens at t-window+b .. t+window-b, t excluded, inside the sentence.
 *    outputs  o_0 = center (label 1), o_k = n_k (label 0).
 *    in(w)    = W_in[w], or with subwords the mean of W_in[sub_ids[sub_offsets[w] .. sub_offsets[w+1])).
 *    x        = clamp(dot, -16, 16);  g = (label - sigmoid(x)) * lr
 *    loss    += softplus(-x) (label 1) or softplus(x) (label 0), masked negatives excluded.
 *  Skip-gram (the batched form of Ji et al. / pWord2Vec: one window's contexts against shared negatives):
 *    G = in(c)·W_out[o]^T (C, K+1); every gradient is computed from the weights as they were before
 *    the window's update:  dIn_c = Σ_k g_ck W_out[o_k];  W_out[o_k] += Σ_c g_ck in(c);  then
 *    every input row of c += dIn_c (each subword row gets the whole dIn_c, as fastText does).
 *    pairs += C.
 *  CBOW (word2vec's order): h = (1/C) Σ_c in(c); for k = 0..K in order: x = h·W_out[o_k], g,
 *    neu1e += g W_out[o_k] (old row), W_out[o_k] += g h; then every input row of every c += neu1e.
 *    pairs += 1.
 *
 * Data checks: tokens are range-checked before anything is written. Negative-table entries and
 * subword rows are checked as they are read (checking a 10^7-entry table per 10^4-token chunk would
 * cost more than the training): a bad entry stops the call with E4J_ERR_INDEX before the position
 * that read it is updated; earlier positions of the chunk keep their (Hogwild) updates.
 */
#ifndef E4J_W2V_H
#define E4J_W2V_H
#include "internal.h"

#define E4J_W2V_MAX_X 16.0f
#define E4J_W2V_LCG_MUL 25214903917ULL
#define E4J_W2V_LCG_ADD 11ULL

typedef struct e4j_w2v_args {
    float *W_in;                /* (R,D) */
    float *W_out;               /* (V,D) */
    const int32_t *tokens;      /* (T) */
    const int32_t *neg_table;   /* (S) */
    const int64_t *sub_offsets; /* (V+1) or NULL */
    const int32_t *sub_ids;     /* (sub_offsets[V]) or NULL */
    int64_t T, S, V, R, D;
    int32_t cbow, window, negative;
    float lr_start, lr_end;
    void *workspace;
} e4j_w2v_args;

/* Workspace layout (every part 64-byte aligned): C = 2*window contexts, O = negative+1 outputs. */
typedef struct e4j_w2v_ws {
    float *in_vec;     /* (C+1, Dp) subword means of the contexts; row C: CBOW's h */
    float *in_grad;    /* (C+1, Dp) dIn per context; row C: CBOW's neu1e */
    float *G;          /* (C, Op)   logits, then gradients */
    float *mask;       /* (Op)      1 for a used output, 0 for a masked negative */
    int32_t *ctx;      /* (C) */
    int32_t *out;      /* (2*Op)    this position's outputs, and the next position's (look-ahead) */
    const float **inp; /* (C) pointer to each context's input vector */
} e4j_w2v_ws;

static inline int64_t e4j_w2v_align(int64_t x) { return (x + 63) & ~(int64_t)63; }
static inline int64_t e4j_w2v_pad8(int64_t x) { return (x + 7) & ~(int64_t)7; }

/* Splits a workspace into n parts of sizes[i] bytes, each 64-byte aligned, from base rounded up to 64 (parts[i] =
 * NULL when base is NULL: sizing only); returns the total (+64 so the caller's pointer may be unaligned). */
static inline int64_t e4j_w2v_carve(const int64_t *sizes, int n, void *base, void **parts) {
    char *p = base ? (char *)(((uintptr_t)base + 63) & ~(uintptr_t)63) : NULL;
    int64_t total = 64;
    for (int i = 0; i < n; i++) {
        parts[i] = p ? p + (total - 64) : NULL;
        total += e4j_w2v_align(sizes[i]);
    }
    return total;
}

/* Bytes of each part, in order; returns the total (+64 so the caller's pointer may be unaligned). */
static inline int64_t e4j_w2v_layout(int64_t D, int32_t window, int32_t negative, e4j_w2v_ws *ws, void *base) {
    int64_t C = 2 * (int64_t)window, Op = e4j_w2v_pad8(negative + 1), Dp = e4j_w2v_pad8(D);
    int64_t sizes[7] = {(C + 1) * Dp * 4,
                        (C + 1) * Dp * 4,
                        (C > 0 ? C : 1) * Op * 4,
                        Op * 4,
                        (C > 0 ? C : 1) * 4,
                        2 * Op * 4,
                        (C > 0 ? C : 1) * (int64_t)sizeof(void *)};
    void *parts[7];
    int64_t total = e4j_w2v_carve(sizes, 7, base, parts);
    if (ws) {
        ws->in_vec = (float *)parts[0];
        ws->in_grad = (float *)parts[1];
        ws->G = (float *)parts[2];
        ws->mask = (float *)parts[3];
        ws->ctx = (int32_t *)parts[4];
        ws->out = (int32_t *)parts[5];
        ws->inp = (const float **)parts[6];
    }
    return total;
}

static inline uint64_t e4j_w2v_next(uint64_t r) { return r * E4J_W2V_LCG_MUL + E4J_W2V_LCG_ADD; }

/* Draws b and the K negatives of one position into out[1..K] (out[0] = center). Returns the new rng;
 * *bad gets the table slot of an out-of-range entry, or -1. */
static inline uint64_t e4j_w2v_draw(uint64_t rng, const e4j_w2v_args *a, int32_t center, int32_t *b, int32_t *out,
                                    int64_t *bad) {
    rng = e4j_w2v_next(rng);
    *b = (int32_t)(rng % (uint64_t)a->window);
    out[0] = center;
    *bad = -1;
    for (int32_t k = 1; k <= a->negative; k++) {
        rng = e4j_w2v_next(rng);
        int64_t slot = (int64_t)((rng >> 16) % (uint64_t)a->S);
        int32_t n = a->neg_table[slot];
        if (n < 0 || n >= a->V) {
            if (*bad < 0) *bad = slot;
            n = center; /* masked; the caller fails before using it */
        }
        out[k] = n;
    }
    return rng;
}

/* One skip-gram window (the batched form above) on the workspace the driver filled: inp, ctx (C contexts), out and
 * mask (the K+1 outputs); returns the window's loss. */
typedef float (*e4j_w2v_sg_step)(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C, float lr);

/* The AVX2 driver (avx2/w2v_avx2.c: draws, look-ahead prefetches, windows, CBOW) with sg as its skip-gram step: level
 * 1 passes its own, level 2 (avx512/w2v_avx512.c) its 16-lane one. */
e4j_status e4j_w2v_train_avx2_with(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng,
                                   e4j_w2v_sg_step sg);

/* Validates word w's subword rows; returns E4J_OK or an E4J_ERR_INDEX status with a message. */
e4j_status e4j_w2v_check_subwords(const e4j_w2v_args *a, int32_t w);

#endif
