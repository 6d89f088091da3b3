/* Optimizer element updates shared by the fused sparse update, sparse_rows_update and dense_update.
 * PyTorch's formulas (torch.optim single-tensor paths), float32 arithmetic:
 *   SGD       g += wd*w; buf = first ? g : momentum*buf + (1-dampening)*g; g = nesterov ? g + momentum*buf : buf;
 *             w -= lr*g
 *   Adam(W)   Adam: g += wd*w; AdamW: w *= 1 - lr*wd; m += (1-b1)(g-m); v = b2 v + (1-b2) g²;
 *             w -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
 *   Adagrad   g += wd*w; s += g²; w -= lr * g / (sqrt(s) + eps)        (lr already decayed by the caller)
 *   Rowwise   s[row] += mean(g²); w -= lr / (sqrt(s[row]) + eps) * g   (FBGEMM)
 *   SparseAdam m += (1-b1)(g-m); v += (1-b2)(g²-v); w -= lr*sqrt(bc2)/bc1 * m / (sqrt(v) + eps)
 * maximize negates g first. Bias corrections are computed on the host in double, as Python does. */
#ifndef E4J_CUDA_OPTIM_CUH
#define E4J_CUDA_OPTIM_CUH

#include <math.h>

#include "internal.cuh"

struct e4j_optim_dev {
    int32_t kind, nesterov, first_step, maximize;
    float lr, momentum, dampening, wd, b1, b2, eps;
    float step_size; /* Adam: lr/bc1; SparseAdam: lr*sqrt(bc2)/bc1 */
    float bc2_sqrt;  /* Adam: sqrt(1 - b2^step) */
};

static inline e4j_status e4j_optim_prepare(const e4j_optim *o, e4j_optim_dev *d, int sparse_rows) {
    if (o == NULL) return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "optimizer step is NULL");
    if (o->kind < 0 || o->kind > E4J_OPT_SPARSE_ADAM)
        return e4j_cuda_fail(E4J_ERR_INVALID_ARGUMENT, "unknown optimizer kind %d", o->kind);
    d->kind = o->kind;
    d->nesterov = o->nesterov;
    d->first_step = o->first_step;
    d->maximize = o->maximize;
    d->lr = o->lr;
    d->momentum = o->momentum;
    d->dampening = o->dampening;
    d->wd = o->weight_decay;
    d->b1 = o->beta1;
    d->b2 = o->beta2;
    d->eps = o->eps;
    double step = (double)(o->step < 1 ? 1 : o->step);
    double bc1 = 1.0 - pow((double)o->beta1, step), bc2 = 1.0 - pow((double)o->beta2, step);
    d->bc2_sqrt = (float)sqrt(bc2);
    d->step_size = o->kind == E4J_OPT_SPARSE_ADAM ? (float)(o->lr * sqrt(bc2) / bc1) : (float)(o->lr / bc1);
    (void)sparse_rows;
    return E4J_OK;
}

/* One element, in registers: s1/s2 are this element's state values (ignored by kinds that keep none);
 * rowmul is the row-wise Adagrad multiplier lr/(sqrt(s_row)+eps), computed by the caller. */
__device__ __forceinline__ void e4j_optim_elem(const e4j_optim_dev &o, float &w, float &s1, float &s2, float g,
                                               float rowmul) {
    float wv = w;
    if (o.maximize) g = -g;
    switch (o.kind) {
    case E4J_OPT_SGD: {
        if (o.wd != 0.f) g = fmaf(o.wd, wv, g);
        if (o.momentum != 0.f) {
            float buf = o.first_step ? g : fmaf(o.momentum, s1, (1.f - o.dampening) * g);
            s1 = buf;
            g = o.nesterov ? fmaf(o.momentum, buf, g) : buf;
        }
        w = fmaf(-o.lr, g, wv);
        break;
    }
    case E4J_OPT_ADAM:
    case E4J_OPT_ADAMW: {
        if (o.kind == E4J_OPT_ADAMW)
            wv = wv * (1.f - o.lr * o.wd);
        else if (o.wd != 0.f)
            g = fmaf(o.wd, wv, g);
        float m = fmaf(1.f - o.b1, g - s1, s1);
        float v = fmaf(s2, o.b2, (1.f - o.b2) * g * g);
        s1 = m;
        s2 = v;
        float denom = sqrtf(v) / o.bc2_sqrt + o.eps;
        w = fmaf(-o.step_size, m / denom, wv);
        break;
    }
    case E4J_OPT_ADAGRAD: {
        if (o.wd != 0.f) g = fmaf(o.wd, wv, g);
        float sum = fmaf(g, g, s1);
        s1 = sum;
        w = fmaf(-o.lr, g / (sqrtf(sum) + o.eps), wv);
        break;
    }
    case E4J_OPT_ROWWISE_ADAGRAD: {
        if (o.wd != 0.f) g = fmaf(o.wd, wv, g);
        w = fmaf(-rowmul, g, wv);
        break;
    }
    case E4J_OPT_SPARSE_ADAM: {
        float m = fmaf(1.f - o.b1, g - s1, s1);
        float v = fmaf(1.f - o.b2, g * g - s2, s2);
        s1 = m;
        s2 = v;
        w = fmaf(-o.step_size, m / (sqrtf(v) + o.eps), wv);
        break;
    }
    default:
        break;
    }
}

/* Whether the kind keeps an elementwise state1 / state2 (row-wise Adagrad's state1 is per row). */
__device__ __forceinline__ bool e4j_optim_has_s1(const e4j_optim_dev &o) {
    return o.kind == E4J_OPT_ADAM || o.kind == E4J_OPT_ADAMW || o.kind == E4J_OPT_ADAGRAD ||
           o.kind == E4J_OPT_SPARSE_ADAM || (o.kind == E4J_OPT_SGD && o.momentum != 0.f);
}
__device__ __forceinline__ bool e4j_optim_has_s2(const e4j_optim_dev &o) {
    return o.kind == E4J_OPT_ADAM || o.kind == E4J_OPT_ADAMW || o.kind == E4J_OPT_SPARSE_ADAM;
}

#endif
