/* e4j_embedding_renorm: torch.embedding_renorm_ on the unique rows named by uniq. For each row r,
 * norm = ||W[r]||_p computed in double (p = 1, 2, inf, 0 = count of non-zeros, or any p > 0);
 * if norm > max_norm: W[r] *= (float)(max_norm / (norm + 1e-7)), the scale computed in double as ATen does.
 * Each row is handled once (uniq strictly ascending is checked) by one thread; the norm is a plain
 * sequential double sum, so there is one code path for every ISA level and the result is bit-identical
 * across levels and thread counts (the row scaling uses the level's scale primitive, exact either way).
 * Thread-safe. */
#include "kernels.h"

#include <math.h>

typedef struct renorm_ctx {
    const e4j_prims *p;
    float *W;
    const int64_t *uniq;
    double max_norm, norm_type;
    int64_t D;
} renorm_ctx;

static double row_norm(const float *w, int64_t D, double p) {
    double s = 0.0;
    if (p == 2.0) {
        for (int64_t d = 0; d < D; d++) s += (double)w[d] * w[d];
        return sqrt(s);
    }
    if (p == 1.0) {
        for (int64_t d = 0; d < D; d++) s += fabs((double)w[d]);
        return s;
    }
    if (isinf(p)) {
        for (int64_t d = 0; d < D; d++) s = fmax(s, fabs((double)w[d]));
        return s;
    }
    if (p == 0.0) {
        for (int64_t d = 0; d < D; d++) s += w[d] != 0.0f;
        return s;
    }
    for (int64_t d = 0; d < D; d++) s += pow(fabs((double)w[d]), p);
    return pow(s, 1.0 / p);
}

static void renorm_range(void *vctx, int64_t u0, int64_t u1) {
    const renorm_ctx *c = (const renorm_ctx *)vctx;
    for (int64_t u = u0; u < u1; u++) {
        float *w = c->W + c->uniq[u] * c->D;
        double norm = row_norm(w, c->D, c->norm_type);
        if (norm > c->max_norm) c->p->scale(w, (float)(c->max_norm / (norm + 1e-7)), c->D);
    }
}

E4J_API e4j_status e4j_embedding_renorm(float *W, const int64_t *uniq, float max_norm, float norm_type, int64_t U,
                                        int64_t V, int64_t D) {
    if (U < 0 || V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got U=%lld V=%lld D=%lld", (long long)U,
                        (long long)V, (long long)D);
    if (!(max_norm >= 0.0f) || isinf(max_norm))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "max_norm must be finite and >= 0, got %g", (double)max_norm);
    if (!(norm_type >= 0.0f))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "norm_type must be >= 0 (or inf), got %g", (double)norm_type);
    if (U > 0 && (!W || !uniq)) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "renorm: W and uniq must not be NULL");
    e4j_status st = e4j_check_uniq(uniq, U, V);
    if (st) return st;
    if (U == 0 || D == 0) return E4J_OK;
    renorm_ctx c = {e4j_prims_get(), W, uniq, (double)max_norm, (double)norm_type, D};
    e4j_parallel_for(U, e4j_grain(4 * D), renorm_range, &c);
    return E4J_OK;
}
