/* w2v_hs_ref.c — scalar reference of the general word2vec kernel (semantics in w2v_hs.h): plain loops, float
 * arithmetic in the order a reader expects, expf/log1p for the sigmoid and the loss. The AVX2 path
 * (w2v_hs_avx2.c) and the Java reference (Word2VecHsReference) are tested against it with a tolerance.
 * Deterministic for one caller; Hogwild-racy (on purpose) when workers share the weights. */
#include "kernels.h"

#include <math.h>
#include <string.h>

static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

static float dot(const float *x, const float *y, int64_t D) {
    float s = 0.0f;
    for (int64_t d = 0; d < D; d++) s += x[d] * y[d];
    return s;
}

/* g for one (input, output) pair; adds its loss. */
static float grad_of(float dotv, float label, float lr, double *loss) {
    /* comparisons with NaN are false: a NaN logit stays NaN, so divergence is not hidden */
    float x = dotv > E4J_W2V_MAX_X ? E4J_W2V_MAX_X : (dotv < -E4J_W2V_MAX_X ? -E4J_W2V_MAX_X : dotv);
    float sig = 1.0f / (1.0f + expf(-x));
    *loss += label != 0.0f ? softplus(-(double)x) : softplus((double)x);
    return (label - sig) * lr;
}

static void add_row(float *row, const float *v, int64_t D) {
    for (int64_t d = 0; d < D; d++) row[d] += v[d];
}

/* Adds v to every row of input i: the document row, or (unless frozen) the word's own or subword rows. */
static void add_to_input(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, const e4j_w2v_hs_pos *p, int32_t i,
                         const float *v) {
    int32_t w = ws->inw[i];
    if (w < 0) {
        add_row(a->W_doc + (int64_t)p->doc * a->D, v, a->D);
        return;
    }
    if (a->flags & E4J_W2V_FREEZE_WORDS) return;
    if (!a->sub_offsets) {
        add_row(a->W_in + (int64_t)w * a->D, v, a->D);
        return;
    }
    for (int64_t j = a->sub_offsets[w]; j < a->sub_offsets[w + 1]; j++)
        add_row(a->W_in + (int64_t)a->sub_ids[j] * a->D, v, a->D);
}

/* Points inp[i] at input i's vector: a W_in or W_doc row in place, or the mean of a word's subword rows. */
static void gather_inputs(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, const e4j_w2v_hs_pos *p) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D);
    for (int32_t i = 0; i < p->C; i++) {
        int32_t w = ws->inw[i];
        if (w < 0) {
            ws->inp[i] = a->W_doc + (int64_t)p->doc * D;
        } else if (!a->sub_offsets) {
            ws->inp[i] = a->W_in + (int64_t)w * D;
        } else {
            float *v = ws->in_vec + i * Dp;
            memset(v, 0, (size_t)D * sizeof(float));
            int64_t lo = a->sub_offsets[w], hi = a->sub_offsets[w + 1];
            for (int64_t j = lo; j < hi; j++) add_row(v, a->W_in + (int64_t)a->sub_ids[j] * D, D);
            float inv = 1.0f / (float)(hi - lo);
            for (int64_t d = 0; d < D; d++) v[d] *= inv;
            ws->inp[i] = v;
        }
    }
}

static void sg_ref(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, const e4j_w2v_hs_pos *p, double *loss) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D), Op = e4j_w2v_pad8(a->max_code_len + a->negative + 1);
    int32_t C = p->C, O = p->O;
    for (int32_t i = 0; i < C; i++)
        for (int32_t j = 0; j < O; j++)
            ws->G[i * Op + j] =
                ws->mask[j] != 0.0f ? grad_of(dot(ws->inp[i], ws->orow[j], D), ws->label[j], p->lr, loss) : 0.0f;
    for (int32_t i = 0; i < C; i++) { /* dIn from the output rows before their update */
        float *gi = ws->in_grad + i * Dp;
        for (int64_t d = 0; d < D; d++) gi[d] = 0.0f;
        for (int32_t j = 0; j < O; j++) {
            float g = ws->G[i * Op + j];
            for (int64_t d = 0; d < D; d++) gi[d] += g * ws->orow[j][d];
        }
    }
    if (!(a->flags & E4J_W2V_FREEZE_WORDS)) {
        for (int32_t j = 0; j < O; j++) {
            if (ws->mask[j] == 0.0f) continue;
            float *o = ws->orow[j];
            for (int64_t d = 0; d < D; d++) {
                float acc = 0.0f;
                for (int32_t i = 0; i < C; i++) acc += ws->G[i * Op + j] * ws->inp[i][d];
                o[d] += acc;
            }
        }
    }
    for (int32_t i = 0; i < C; i++) add_to_input(a, ws, p, i, ws->in_grad + i * Dp);
}

static void cbow_ref(const e4j_w2v_hs_args *a, const e4j_w2v_hs_ws *ws, const e4j_w2v_hs_pos *p, double *loss) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D);
    int32_t C = p->C;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    float scale = a->mode == E4J_W2V_CBOW_SUM ? 1.0f : 1.0f / (float)C;
    for (int64_t d = 0; d < D; d++) {
        float s = 0.0f;
        for (int32_t i = 0; i < C; i++) s += ws->inp[i][d];
        h[d] = s * scale;
        neu1e[d] = 0.0f;
    }
    int frozen = (a->flags & E4J_W2V_FREEZE_WORDS) != 0;
    for (int32_t j = 0; j < p->O; j++) {
        if (ws->mask[j] == 0.0f) continue;
        float *o = ws->orow[j];
        float g = grad_of(dot(h, o, D), ws->label[j], p->lr, loss);
        for (int64_t d = 0; d < D; d++) neu1e[d] += g * o[d];
        if (!frozen)
            for (int64_t d = 0; d < D; d++) o[d] += g * h[d];
    }
    for (int32_t i = 0; i < C; i++) add_to_input(a, ws, p, i, neu1e);
}

e4j_status e4j_w2v_hs_train_ref(const e4j_w2v_hs_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    e4j_w2v_hs_ws ws;
    e4j_w2v_hs_layout(a->D, a->window, a->max_code_len + a->negative + 1, &ws, a->workspace);
    uint64_t r = *rng;
    double loss = 0.0;
    int64_t np = 0;
    e4j_status st = E4J_OK;
    int64_t s = 0;
    while (s < a->T && st == E4J_OK) {
        if (a->tokens[s] == -1) {
            s++;
            continue;
        }
        int64_t e = s;
        while (e < a->T && a->tokens[e] != -1) e++;
        for (int64_t t = s; t < e; t++) {
            e4j_w2v_hs_pos p;
            st = e4j_w2v_hs_position(a, &ws, t, s, e, &r, &p);
            if (st != E4J_OK) break;
            if (p.C == 0) continue;
            gather_inputs(a, &ws, &p);
            if (a->mode == E4J_W2V_SKIP_GRAM) {
                sg_ref(a, &ws, &p, &loss);
                np += p.C;
            } else {
                cbow_ref(a, &ws, &p, &loss);
                np += 1;
            }
        }
        s = e;
    }
    *rng = r;
    *loss_sum += loss;
    *pairs += np;
    return st;
}
