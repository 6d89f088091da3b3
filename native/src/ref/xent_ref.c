/* Scalar reference of the softmax cross-entropy rows (see xent.h for the math) and of the input pre-checks:
 * plain loops, the C specification that xent_avx2.c is tested against. Per row: max, sum of expf(x_j - max) in double,
 * lse = max + log(sum) in double, the gradient dx_j = a*expf(x_j - max) - b*w_j, and the target column
 * in double (p_t - 1 would cancel in float). Deterministic; thread-safe for disjoint row ranges. */
#include "kernels.h"

#include <math.h>

static double xent_row(const e4j_xent_args *c, int64_t i) {
    const int64_t K = c->K;
    const float *x = c->logits + i * K;
    float *dx = c->dlogits ? c->dlogits + i * K : NULL;
    int64_t t = c->targets[i];
    if (t == c->ignore_index) {
        if (c->reduction == E4J_REDUCE_NONE) c->loss[i] = 0.0f;
        if (dx)
            for (int64_t j = 0; j < K; j++) dx[j] = 0.0f;
        return 0.0;
    }
    float m = x[0];
    for (int64_t j = 1; j < K; j++)
        if (x[j] > m) m = x[j];
    double se = 0.0;
    for (int64_t j = 0; j < K; j++) se += (double)expf(x[j] - m);
    double lse = (double)m + log(se), xt = x[t];
    double wt = c->weight ? c->weight[t] : 1.0;
    double smooth = 0.0;
    if (c->eps != 0.0)
        for (int64_t j = 0; j < K; j++) smooth += (c->weight ? (double)c->weight[j] : 1.0) * (lse - (double)x[j]);
    double row = (1.0 - c->eps) * (wt * (lse - xt)) + (c->eps / (double)K) * smooth;
    if (c->reduction == E4J_REDUCE_NONE) c->loss[i] = (float)row;
    if (!dx) return row;
    if (c->zero_grad) {
        for (int64_t j = 0; j < K; j++) dx[j] = 0.0f;
        return row;
    }
    double s = c->grad_scale, ek = c->eps / (double)K;
    float a = (float)(s * ((1.0 - c->eps) * wt + ek * c->weight_sum) / se);
    float b = (float)(s * ek);
    for (int64_t j = 0; j < K; j++) dx[j] = a * expf(x[j] - m) - b * (c->weight ? c->weight[j] : 1.0f);
    double pt = exp(xt - lse);
    dx[t] = (float)(s * ((1.0 - c->eps) * wt * (pt - 1.0) + ek * (pt * c->weight_sum - wt)));
    return row;
}

double e4j_xent_rows_ref(const e4j_xent_args *a, int64_t i0, int64_t i1) {
    double total = 0.0;
    for (int64_t i = i0; i < i1; i++) total += xent_row(a, i);
    return total;
}

/* x*0 == 0 exactly for finite x, NaN for NaN and +-Inf */
int e4j_all_finite_ref(const float *x, int64_t n) {
    for (int64_t j = 0; j < n; j++)
        if (!(x[j] * 0.0f == 0.0f)) return 0;
    return 1;
}

int e4j_xent_targets_ok_ref(const int64_t *t, int64_t B, int64_t K, int64_t ignore_index, int64_t *counted) {
    int ok = 1;
    int64_t n = 0;
    for (int64_t i = 0; i < B; i++) {
        if (t[i] == ignore_index) continue;
        n++;
        if (t[i] < 0 || t[i] >= K) ok = 0;
    }
    *counted = n;
    return ok;
}
