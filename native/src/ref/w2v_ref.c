/* w2v_ref.c — scalar reference of the word2vec kernel (semantics in w2v.h): plain loops, float
 * arithmetic in the order a reader expects, expf/log1p for the sigmoid and the loss. The AVX2 path
 * (w2v_avx2.c) and the Java reference (Word2VecReference) are tested against it with a tolerance.
 * Deterministic for one caller; Hogwild-racy (on purpose) when workers share W_in/W_out. */
#include "kernels.h"

#include <math.h>
#include <string.h>

static float clampx(float x) {
    /* comparisons with NaN are false: a NaN logit stays NaN, so divergence is not hidden */
    return x > E4J_W2V_MAX_X ? E4J_W2V_MAX_X : (x < -E4J_W2V_MAX_X ? -E4J_W2V_MAX_X : x);
}

static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

static float dot(const float *x, const float *y, int64_t D) {
    float s = 0.0f;
    for (int64_t d = 0; d < D; d++) s += x[d] * y[d];
    return s;
}

/* g for one (input, output) pair; adds its loss. */
static float grad_of(float dotv, int label, float lr, double *loss) {
    float x = clampx(dotv);
    float sig = 1.0f / (1.0f + expf(-x));
    *loss += label ? softplus(-(double)x) : softplus((double)x);
    return ((float)label - sig) * lr;
}

/* Adds v to every input row of word w (its own row, or each of its subword rows). */
static void add_to_input(const e4j_w2v_args *a, int32_t w, const float *v) {
    int64_t D = a->D;
    if (!a->sub_offsets) {
        float *row = a->W_in + (int64_t)w * D;
        for (int64_t d = 0; d < D; d++) row[d] += v[d];
        return;
    }
    for (int64_t j = a->sub_offsets[w]; j < a->sub_offsets[w + 1]; j++) {
        float *row = a->W_in + (int64_t)a->sub_ids[j] * D;
        for (int64_t d = 0; d < D; d++) row[d] += v[d];
    }
}

static void sg_ref(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C, float lr, double *loss) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D), Op = e4j_w2v_pad8(a->negative + 1);
    int32_t O = a->negative + 1;
    for (int32_t c = 0; c < C; c++) {
        for (int32_t k = 0; k < O; k++) {
            float g = 0.0f;
            if (ws->mask[k] != 0.0f)
                g = grad_of(dot(ws->inp[c], a->W_out + (int64_t)ws->out[k] * D, D), k == 0, lr, loss);
            ws->G[c * Op + k] = g;
        }
    }
    for (int32_t c = 0; c < C; c++) { /* dIn from the output rows before their update */
        float *gi = ws->in_grad + c * Dp;
        for (int64_t d = 0; d < D; d++) gi[d] = 0.0f;
        for (int32_t k = 0; k < O; k++) {
            float g = ws->G[c * Op + k];
            const float *o = a->W_out + (int64_t)ws->out[k] * D;
            for (int64_t d = 0; d < D; d++) gi[d] += g * o[d];
        }
    }
    for (int32_t k = 0; k < O; k++) {
        if (ws->mask[k] == 0.0f) continue;
        float *o = a->W_out + (int64_t)ws->out[k] * D;
        for (int64_t d = 0; d < D; d++) {
            float acc = 0.0f;
            for (int32_t c = 0; c < C; c++) acc += ws->G[c * Op + k] * ws->inp[c][d];
            o[d] += acc;
        }
    }
    for (int32_t c = 0; c < C; c++) add_to_input(a, ws->ctx[c], ws->in_grad + c * Dp);
}

static void cbow_ref(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C, float lr, double *loss) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D);
    int32_t O = a->negative + 1;
    float *h = ws->in_vec + (int64_t)C * Dp, *neu1e = ws->in_grad + (int64_t)C * Dp;
    float inv = 1.0f / (float)C;
    for (int64_t d = 0; d < D; d++) {
        float s = 0.0f;
        for (int32_t c = 0; c < C; c++) s += ws->inp[c][d];
        h[d] = s * inv;
        neu1e[d] = 0.0f;
    }
    for (int32_t k = 0; k < O; k++) {
        if (ws->mask[k] == 0.0f) continue;
        float *o = a->W_out + (int64_t)ws->out[k] * D;
        float g = grad_of(dot(h, o, D), k == 0, lr, loss);
        for (int64_t d = 0; d < D; d++) neu1e[d] += g * o[d];
        for (int64_t d = 0; d < D; d++) o[d] += g * h[d];
    }
    for (int32_t c = 0; c < C; c++) add_to_input(a, ws->ctx[c], neu1e);
}

/* Points inp[c] at context c's input vector: its W_in row, or the mean of its subword rows in in_vec. */
static e4j_status gather_inputs(const e4j_w2v_args *a, const e4j_w2v_ws *ws, int32_t C) {
    int64_t D = a->D, Dp = e4j_w2v_pad8(D);
    for (int32_t c = 0; c < C; c++) {
        int32_t w = ws->ctx[c];
        if (!a->sub_offsets) {
            ws->inp[c] = a->W_in + (int64_t)w * D;
            continue;
        }
        e4j_status st = e4j_w2v_check_subwords(a, w);
        if (st != E4J_OK) return st;
        float *v = ws->in_vec + c * Dp;
        memset(v, 0, (size_t)D * sizeof(float));
        int64_t lo = a->sub_offsets[w], hi = a->sub_offsets[w + 1];
        for (int64_t j = lo; j < hi; j++) {
            const float *row = a->W_in + (int64_t)a->sub_ids[j] * D;
            for (int64_t d = 0; d < D; d++) v[d] += row[d];
        }
        float inv = 1.0f / (float)(hi - lo);
        for (int64_t d = 0; d < D; d++) v[d] *= inv;
        ws->inp[c] = v;
    }
    return E4J_OK;
}

e4j_status e4j_w2v_train_ref(const e4j_w2v_args *a, double *loss_sum, int64_t *pairs, uint64_t *rng) {
    e4j_w2v_ws ws;
    e4j_w2v_layout(a->D, a->window, a->negative, &ws, a->workspace);
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
            float lr = a->lr_start + (a->lr_end - a->lr_start) * (float)((double)t / (double)a->T);
            int32_t b, center = a->tokens[t];
            int64_t bad;
            r = e4j_w2v_draw(r, a, center, &b, ws.out, &bad);
            if (bad >= 0) {
                st = e4j_fail(E4J_ERR_INDEX, "w2v: neg_table[%lld] = %d out of range [0, %lld)", (long long)bad,
                              a->neg_table[bad], (long long)a->V);
                break;
            }
            int32_t C = 0;
            for (int64_t q = t - a->window + b; q <= t + a->window - b; q++)
                if (q != t && q >= s && q < e) ws.ctx[C++] = a->tokens[q];
            if (C == 0) continue;
            st = gather_inputs(a, &ws, C);
            if (st != E4J_OK) break;
            for (int32_t k = 0; k <= a->negative; k++) ws.mask[k] = (k == 0 || ws.out[k] != center) ? 1.0f : 0.0f;
            if (a->cbow) {
                cbow_ref(a, &ws, C, lr, &loss);
                np += 1;
            } else {
                sg_ref(a, &ws, C, lr, &loss);
                np += C;
            }
        }
        s = e;
    }
    *rng = r;
    *loss_sum += loss;
    *pairs += np;
    return st;
}
