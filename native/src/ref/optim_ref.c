/* Scalar reference of the optimizer rules, per element (torch.optim, PyTorch 2.x single-tensor path,
 * float32 arithmetic in the order of the Java reference OptimizerRules):
 *   every kind      g = maximize ? -g : g
 *   SGD             g += wd*w; momentum: buf = first ? g : mu*buf + (1-dampening)*g; g = nesterov ? g + mu*buf : buf
 *                   w -= lr*g
 *   ADAM            g += wd*w; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; w -= step_size * (m / (sqrt(v)/sqrt(bc2) + eps))
 *   ADAMW           w *= 1 - lr*wd, then ADAM without the L2 term
 *   ADAGRAD         g += wd*w; s += g*g; w -= lr * (g / (sqrt(s) + eps))
 *   SPARSE_ADAM     m += (g - m)*(1-b1); v += (g*g - v)*(1-b2); w -= step_size * (m / (sqrt(v) + eps))  (no decay)
 *   ROWWISE_ADAGRAD g += wd*w; s[r] += mean(g*g) (sum in double); w -= lr * (g / (sqrt(s[r]) + eps))
 * The AVX2 file performs the same IEEE operations in the same order (no FMA), so both are bit-identical.
 * Thread-safe for disjoint slots. */
#include "kernels.h"

#include <math.h>

void e4j_optim_ref(float *w, float *s1, float *s2, const float *g, int64_t n, const e4j_optim_consts *c) {
    const float lr = c->lr, wd = c->weight_decay;
    for (int64_t i = 0; i < n; i++) {
        float grad = c->maximize ? -g[i] : g[i];
        float wi = w[i];
        switch (c->kind) {
        case E4J_OPT_SGD:
            if (wd != 0.0f) grad = grad + wd * wi;
            if (c->momentum != 0.0f) {
                float buf = c->first_step ? grad : c->momentum * s1[i] + (1.0f - c->dampening) * grad;
                s1[i] = buf;
                grad = c->nesterov ? grad + c->momentum * buf : buf;
            }
            w[i] = wi - lr * grad;
            break;
        case E4J_OPT_ADAM:
        case E4J_OPT_ADAMW: {
            if (c->kind == E4J_OPT_ADAMW)
                wi = wi * c->adamw_decay;
            else if (wd != 0.0f)
                grad = grad + wd * wi;
            float m = c->beta1 * s1[i] + (1.0f - c->beta1) * grad;
            float v = c->beta2 * s2[i] + (1.0f - c->beta2) * grad * grad;
            s1[i] = m;
            s2[i] = v;
            float denom = sqrtf(v) / c->adam_bc2_sqrt + c->eps;
            w[i] = wi - c->adam_step_size * (m / denom);
            break;
        }
        case E4J_OPT_ADAGRAD: {
            if (wd != 0.0f) grad = grad + wd * wi;
            float sum = s1[i] + grad * grad;
            s1[i] = sum;
            w[i] = wi - lr * (grad / (sqrtf(sum) + c->eps));
            break;
        }
        case E4J_OPT_SPARSE_ADAM: {
            float m = s1[i], v = s2[i];
            m = m + (grad - m) * (1.0f - c->beta1);
            v = v + (grad * grad - v) * (1.0f - c->beta2);
            s1[i] = m;
            s2[i] = v;
            w[i] = wi - c->adam_step_size * (m / (sqrtf(v) + c->eps));
            break;
        }
        default: /* ROWWISE_ADAGRAD goes through rowwise_*; kinds are validated by the entry points */
            break;
        }
    }
}

double e4j_rowwise_sumsq_ref(const float *g, const float *w, float wd, int32_t maximize, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float gi = maximize ? -g[i] : g[i];
        if (wd != 0.0f) gi = gi + wd * w[i];
        s += (double)gi * gi;
    }
    return s;
}

void e4j_rowwise_apply_ref(float *w, const float *g, float lr, float denom, float wd, int32_t maximize, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float gi = maximize ? -g[i] : g[i];
        if (wd != 0.0f) gi = gi + wd * w[i];
        w[i] = w[i] - lr * (gi / denom);
    }
}
