/* w2v_hs.h — internal to the general word2vec kernel (api/w2v_hs.c, ref/w2v_hs_ref.c, avx2/w2v_hs_avx2.c; the
 * w2v_hs_train primitive of kernels.h): hierarchical softmax, negative sampling, or both at once (word2vec C
 * with -hs 1 -negative K), and document rows (paragraph vectors); not part of the ABI.
 *
 * The semantics, shared by the scalar reference, the AVX2 path and the Java reference
 * (org.embed4j.backend.Word2VecHsReference):
 *
 *  tokens are cut into sentences at -1; a window never crosses a sentence or the chunk's ends.
 *  For each token position t (not -1), in order:
 *    lr   = lr_start + (lr_end - lr_start) * (float)(t / (double)T)
 *    rng  = rng * 25214903917 + 11;  b = rng % window          (word2vec's dynamic window)
 *    K times: rng = rng * 25214903917 + 11;  n_k = neg_table[(rng >> 16) % S]
 *             (drawn for every position, so the RNG stream does not depend on the weights)
 *    inputs i_1..i_C: the words at t-window+b .. t+window-b (t excluded, inside the sentence) unless
 *             E4J_W2V_NO_WORD_INPUTS, then the document row docs[t] when W_doc is given (last).
 *             No input: the position is skipped.
 *    outputs, in this order: the center's Huffman path (code_offsets != NULL): for each entry c of
 *             codes[code_offsets[w] .. code_offsets[w+1]) (root first), row c >> 1 of W_hs with label
 *             1 - (c & 1) (word2vec C's "1 - code"); then with K > 0 the center (label 1) and n_1..n_K
 *             (label 0) as rows of W_out, a negative equal to the center masked out (not redrawn).
 *    in(i)    = W_in[w], or with subwords the mean of W_in[sub_ids[sub_offsets[w] .. sub_offsets[w+1])),
 *             or W_doc[docs[t]] for the document input.
 *    x        = clamp(in·out, -16, 16);  g = (label - sigmoid(x)) * lr;  loss += softplus(label ? -x : x).
 *  Skip-gram (mode 0; the batched form of the negative-sampling kernel, w2v.h): G = In·Out^T (C, O), every
 *    gradient from the weights as they were before the position's update: dIn_i = Σ_j g_ij out_j;
 *    out_j += Σ_i g_ij in(i); then every row of input i += dIn_i. pairs += C.
 *  CBOW (mode 1: h = mean of the inputs, word2vec C; mode 2: their sum, gensim's cbow_mean=0): for each
 *    output j in order: x = h·out_j, g, neu1e += g out_j (old row), out_j += g h; then every row of every
 *    input += neu1e (word2vec C's update, not divided by C). pairs += 1.
 *  E4J_W2V_FREEZE_WORDS: W_in, W_hs and W_out are read only; only document rows learn (inference of an
 *    unseen document's vector, gensim's infer_vector).
 *
 * Data checks: tokens and docs are range-checked before anything is written. Huffman codes, negative-table
 * entries and subword rows are checked as they are read (a whole-table check per 10^4-token chunk would cost
 * more than the training): a bad entry stops the call with E4J_ERR_INDEX before the position that read it is
 * updated; earlier positions of the chunk keep their (Hogwild) updates.
 */
#ifndef E4J_W2V_HS_H
#define E4J_W2V_HS_H
#include "w2v.h"

typedef struct e4j_w2v_hs_args {
    float *W_in;                 /* (R,D) */
    float *W_hs;                 /* (H,D) or NULL */
    float *W_out;                /* (V,D) or NULL */
    float *W_doc;                /* (P,D) or NULL */
    const int32_t *tokens;       /* (T) */
    const int32_t *docs;         /* (T) or NULL */
    const int64_t *code_offsets; /* (V+1) or NULL */
    const int32_t *codes;        /* (code_offsets[V]) or NULL */
    const int32_t *neg_table;    /* (S) or NULL */
    const int64_t *sub_offsets;  /* (V+1) or NULL */
    const int32_t *sub_ids;      /* (sub_offsets[V]) or NULL */
    int64_t T, S, V, R, H, P, D;
    int32_t mode, flags, window, negative, max_code_len;
    float lr_start, lr_end;
    void *workspace;
} e4j_w2v_hs_args;

/* Workspace layout (every part 64-byte aligned): C = 2*window + 1 inputs, O = max_code_len + negative + 1
 * outputs. */
typedef struct e4j_w2v_hs_ws {
    float *in_vec;     /* (C+1, Dp) subword means of the inputs; row C: CBOW's h */
    float *in_grad;    /* (C+1, Dp) dIn per input; row C: CBOW's neu1e */
    float *G;          /* (C, Op)   logits, then gradients */
    float *label;      /* (Op)      1 or 0 per output */
    float *mask;       /* (Op)      1 for a used output, 0 for a masked negative or padding */
    int32_t *inw;      /* (C)       input word, or -1 for the document row */
    int32_t *negs;     /* (Op)      this position's negatives */
    float **orow;      /* (Op)      pointer to each output row */
    const float **inp; /* (C)       pointer to each input vector */
} e4j_w2v_hs_ws;

/* Bytes of each part, in order; returns the total (+64 so the caller's pointer may be unaligned). */
static inline int64_t e4j_w2v_hs_layout(int64_t D, int32_t window, int32_t max_outputs, e4j_w2v_hs_ws *ws, void *base) {
    int64_t C = 2 * (int64_t)window + 1, Op = e4j_w2v_pad8(max_outputs), Dp = e4j_w2v_pad8(D);
    int64_t sizes[9] = {(C + 1) * Dp * 4,
                        (C + 1) * Dp * 4,
                        C * Op * 4,
                        Op * 4,
                        Op * 4,
                        C * 4,
                        Op * 4,
                        Op * (int64_t)sizeof(void *),
                        C * (int64_t)sizeof(void *)};
    void *parts[9];
    int64_t total = e4j_w2v_carve(sizes, 9, base, parts);
    if (ws) {
        ws->in_vec = (float *)parts[0];
        ws->in_grad = (float *)parts[1];
        ws->G = (float *)parts[2];
        ws->label = (float *)parts[3];
        ws->mask = (float *)parts[4];
        ws->inw = (int32_t *)parts[5];
        ws->negs = (int32_t *)parts[6];
        ws->orow = (float **)parts[7];
        ws->inp = (const float **)parts[8];
    }
    return total;
}

/* What one position trains on, filled by e4j_w2v_hs_position (api/w2v_hs.c) for both levels. */
typedef struct e4j_w2v_hs_pos {
    int32_t C;   /* inputs: ws->inw[0..C) (-1 = the document row) */
    int32_t O;   /* outputs: ws->orow, ws->label, ws->mask [0..O) */
    int32_t doc; /* the document row, or -1 */
    float lr;
} e4j_w2v_hs_pos;

/* Draws position t's window and negatives (advancing *rng), then lists its inputs and outputs in ws.
 * [s, e) is t's sentence. Returns E4J_OK, or E4J_ERR_INDEX with a message for a bad code, table or subword
 * entry (nothing written). p->C == 0: nothing to train. */
e4j_status e4j_w2v_hs_position(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, int64_t t, int64_t s, int64_t e,
                               uint64_t *rng, e4j_w2v_hs_pos *p);

#endif
