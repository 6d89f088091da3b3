/* Argument and data checks shared by the exported entry points. Each runs before a kernel writes
 * anything and returns E4J_OK or a status whose message (e4j_last_error) names the bad position and
 * value. Read-only; thread-safe. */
#include "kernels.h"

#include <math.h>

e4j_status e4j_check_idx_type(int32_t idx_type) {
    if (idx_type != E4J_INT32 && idx_type != E4J_INT64)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "idx_type must be %d (int32) or %d (int64), got %d", E4J_INT32,
                        E4J_INT64, idx_type);
    return E4J_OK;
}

e4j_status e4j_check_indices(const void *idx, int32_t idx_type, int64_t N, int64_t V) {
    if (idx_type == E4J_INT32) {
        const int32_t *p = (const int32_t *)idx;
        for (int64_t i = 0; i < N; i++)
            if (p[i] < 0 || (int64_t)p[i] >= V)
                return e4j_fail(E4J_ERR_INDEX, "index %d at position %lld is out of range [0, %lld)", p[i],
                                (long long)i, (long long)V);
    } else {
        const int64_t *p = (const int64_t *)idx;
        for (int64_t i = 0; i < N; i++)
            if (p[i] < 0 || p[i] >= V)
                return e4j_fail(E4J_ERR_INDEX, "index %lld at position %lld is out of range [0, %lld)", (long long)p[i],
                                (long long)i, (long long)V);
    }
    return E4J_OK;
}

e4j_status e4j_check_padding(int64_t padding_idx, int64_t V) {
    if (padding_idx != -1 && (padding_idx < 0 || padding_idx >= V))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "padding_idx %lld must be -1 (none) or in [0, %lld)",
                        (long long)padding_idx, (long long)V);
    return E4J_OK;
}

e4j_status e4j_check_bag_mode(int32_t mode, const float *psw) {
    if (mode != E4J_BAG_SUM && mode != E4J_BAG_MEAN && mode != E4J_BAG_MAX)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "bag mode must be 0 (sum), 1 (mean) or 2 (max), got %d", mode);
    if (psw && mode != E4J_BAG_SUM)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "per_sample_weights are only supported in sum mode, got mode %d",
                        mode);
    return E4J_OK;
}

e4j_status e4j_check_offsets(const int64_t *offsets, int64_t B, int64_t N) {
    if (offsets[0] != 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "offsets[0] must be 0, got %lld", (long long)offsets[0]);
    for (int64_t b = 0; b < B; b++)
        if (offsets[b] > offsets[b + 1])
            return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                            "offsets must be non-decreasing: offsets[%lld]=%lld > offsets[%lld]=%lld", (long long)b,
                            (long long)offsets[b], (long long)(b + 1), (long long)offsets[b + 1]);
    if (offsets[B] != N)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "offsets[%lld] (the last of B+1 offsets) must equal N = %lld, got %lld", (long long)B,
                        (long long)N, (long long)offsets[B]);
    return E4J_OK;
}

e4j_status e4j_check_uniq(const int64_t *uniq, int64_t U, int64_t V) {
    for (int64_t u = 0; u < U; u++) {
        if (uniq[u] < 0 || (V >= 0 && uniq[u] >= V))
            return e4j_fail(E4J_ERR_INDEX, "row %lld at uniq position %lld is out of range [0, %lld)",
                            (long long)uniq[u], (long long)u, (long long)V);
        if (u > 0 && uniq[u] <= uniq[u - 1])
            return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                            "uniq must be strictly ascending: uniq[%lld]=%lld >= uniq[%lld]=%lld", (long long)(u - 1),
                            (long long)uniq[u - 1], (long long)u, (long long)uniq[u]);
    }
    return E4J_OK;
}

e4j_status e4j_check_sorted(const int64_t *uniq, const int64_t *seg, const int64_t *perm, int64_t U, int64_t N,
                            int64_t V) {
    if (U > N)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "U = %lld unique rows exceeds N = %lld", (long long)U, (long long)N);
    if (seg[0] != 0) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "seg[0] must be 0, got %lld", (long long)seg[0]);
    for (int64_t u = 0; u < U; u++)
        if (seg[u] > seg[u + 1])
            return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "seg must be non-decreasing: seg[%lld]=%lld > seg[%lld]=%lld",
                            (long long)u, (long long)seg[u], (long long)(u + 1), (long long)seg[u + 1]);
    e4j_status st = e4j_check_uniq(uniq, U, V);
    if (st) return st;
    if (seg[U] > N)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "seg[%lld]=%lld exceeds N = %lld", (long long)U, (long long)seg[U],
                        (long long)N);
    for (int64_t k = 0; k < seg[U]; k++)
        if (perm[k] < 0 || perm[k] >= N)
            return e4j_fail(E4J_ERR_INDEX, "perm[%lld]=%lld is out of range [0, %lld)", (long long)k,
                            (long long)perm[k], (long long)N);
    return E4J_OK;
}

static const char *kind_name(int32_t k) {
    static const char *names[] = {"SGD", "ADAM", "ADAMW", "ADAGRAD", "ROWWISE_ADAGRAD", "SPARSE_ADAM"};
    return k >= 0 && k <= 5 ? names[k] : "unknown";
}

e4j_status e4j_check_optim(const e4j_optim *opt, int32_t sparse, const float *state1, const float *state2) {
    if (!opt) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "opt must not be NULL");
    int32_t k = opt->kind;
    if (k < E4J_OPT_SGD || k > E4J_OPT_SPARSE_ADAM)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "optimizer kind %d is not an e4j_optim_kind", k);
    if (sparse) {
        if (k == E4J_OPT_ADAM || k == E4J_OPT_ADAMW)
            return e4j_fail(E4J_ERR_UNSUPPORTED,
                            "sparse updates support SGD, ADAGRAD, ROWWISE_ADAGRAD and SPARSE_ADAM, got %s",
                            kind_name(k));
        if (k == E4J_OPT_SGD && opt->momentum != 0.0f)
            return e4j_fail(E4J_ERR_UNSUPPORTED, "sparse updates support SGD without momentum only, got momentum %g",
                            (double)opt->momentum);
    } else if (k == E4J_OPT_ROWWISE_ADAGRAD || k == E4J_OPT_SPARSE_ADAM) {
        return e4j_fail(E4J_ERR_UNSUPPORTED,
                        "%s updates rows of a sparse gradient only; dense updates support SGD, ADAM,"
                        " ADAMW and ADAGRAD",
                        kind_name(k));
    }
    float hp[] = {opt->lr, opt->momentum, opt->dampening, opt->weight_decay, opt->beta1, opt->beta2, opt->eps};
    static const char *hn[] = {"lr", "momentum", "dampening", "weight_decay", "beta1", "beta2", "eps"};
    for (int i = 0; i < 7; i++)
        if (!isfinite(hp[i]))
            return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "optimizer %s must be finite, got %g", hn[i], (double)hp[i]);
    int need1 = (k == E4J_OPT_SGD && opt->momentum != 0.0f) || k != E4J_OPT_SGD;
    int need2 = k == E4J_OPT_ADAM || k == E4J_OPT_ADAMW || k == E4J_OPT_SPARSE_ADAM;
    if (need1 && !state1) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "%s needs state1, got NULL", kind_name(k));
    if (need2 && !state2) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "%s needs state2, got NULL", kind_name(k));
    if ((need2 || k == E4J_OPT_SPARSE_ADAM) && opt->step < 1)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "%s needs step >= 1 (1-based, after increment), got %lld",
                        kind_name(k), (long long)opt->step);
    return E4J_OK;
}

void e4j_optim_prepare(e4j_optim_consts *c, const e4j_optim *opt) {
    c->kind = opt->kind;
    c->nesterov = opt->nesterov;
    c->first_step = opt->first_step;
    c->maximize = opt->maximize;
    c->lr = opt->lr;
    c->momentum = opt->momentum;
    c->dampening = opt->dampening;
    c->weight_decay = opt->weight_decay;
    c->beta1 = opt->beta1;
    c->beta2 = opt->beta2;
    c->eps = opt->eps;
    /* bias corrections in double, as Python computes them, then rounded once */
    double t = opt->step < 1 ? 1.0 : (double)opt->step;
    double bc1 = 1.0 - pow((double)opt->beta1, t), bc2 = 1.0 - pow((double)opt->beta2, t);
    c->adam_step_size =
        opt->kind == E4J_OPT_SPARSE_ADAM ? (float)((double)opt->lr * sqrt(bc2) / bc1) : (float)((double)opt->lr / bc1);
    c->adam_bc2_sqrt = (float)sqrt(bc2);
    c->adamw_decay = 1.0f - opt->lr * opt->weight_decay;
}
