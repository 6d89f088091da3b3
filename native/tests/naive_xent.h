/* The C tests' reference for e4j_softmax_xent: PyTorch's cross_entropy (class weights, ignore_index,
 * label smoothing, reductions none/mean/sum) transcribed in double. Fills per-row losses when rowloss is
 * non-NULL, writes the gradient of the reduced loss into dx, and returns the reduced loss. The target's
 * terms are written so that confident rows keep their relative digits (no cancellation). */
#ifndef E4J_NAIVE_XENT_H
#define E4J_NAIVE_XENT_H
#include "test_util.h"

static double naive_xent(float *rowloss, float *dx, const float *x, const int64_t *t, const float *w, int64_t ign,
                         double eps, int red, int64_t B, int64_t K) {
    double sw = 0, tw = 0, total = 0;
    for (int64_t k = 0; k < K; k++) sw += w ? w[k] : 1;
    for (int64_t i = 0; i < B; i++)
        if (t[i] != ign) tw += w ? w[t[i]] : 1;
    double scale = red == E4J_REDUCE_MEAN ? 1 / tw : 1;
    for (int64_t i = 0; i < B; i++) {
        const float *r = x + i * K;
        if (t[i] == ign) {
            if (rowloss) rowloss[i] = 0;
            for (int64_t k = 0; k < K; k++) dx[i * K + k] = 0;
            continue;
        }
        double m = r[0], s = 0, smooth = 0, so = 0;
        for (int64_t k = 1; k < K; k++) m = fmax(m, r[k]);
        for (int64_t k = 0; k < K; k++) s += exp(r[k] - m);
        for (int64_t k = 0; k < K; k++)
            if (k != t[i]) so += exp(r[k] - m);
        double lse = m + log(s), wt = w ? w[t[i]] : 1;
        for (int64_t k = 0; k < K; k++) smooth += (w ? w[k] : 1) * (lse - r[k]);
        /* lse - x_t written as (m - x_t) + log(s): exact for confident rows */
        double l = (1 - eps) * wt * ((m - r[t[i]]) + log(s)) + eps / K * smooth;
        if (rowloss) rowloss[i] = (float)l;
        total += l;
        for (int64_t k = 0; k < K; k++) {
            double p = exp(r[k] - lse);
            double pm1 = k == t[i] ? -so / s : p;
            double g = (1 - eps) * wt * pm1 + eps / K * (p * sw - (w ? w[k] : 1));
            dx[i * K + k] = (red == E4J_REDUCE_MEAN && tw == 0) ? 0.0f : (float)(scale * g);
        }
    }
    return red == E4J_REDUCE_MEAN ? total / tw : total;
}

#endif
