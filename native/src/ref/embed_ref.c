/* Scalar reference of the embedding primitives: gather, bag forward, row reductions for backward.
 * Plain loops: this file is the C specification the AVX2 file is tested against.
 * Sums run in the documented order (positions in bag order; sorted positions in perm order), starting
 * from +0. Deterministic; thread-safe for disjoint output ranges. See kernels.h for the contracts. */
#include "kernels.h"

#include <string.h>

void e4j_gather_ref(const e4j_gather_args *a, int64_t n0, int64_t n1) {
    const int64_t D = a->D;
    for (int64_t n = n0; n < n1; n++) {
        const float *src = a->W + e4j_idx_at(a->idx, a->idx_type, n) * D;
        float *dst = a->out + n * D;
        for (int64_t d = 0; d < D; d++) dst[d] = src[d];
    }
}

void e4j_bag_forward_ref(const e4j_bag_args *a, int64_t b0, int64_t b1) {
    const int64_t D = a->D;
    for (int64_t b = b0; b < b1; b++) {
        float *o = a->out + b * D;
        int64_t *am = a->mode == E4J_BAG_MAX ? a->argmax + b * D : NULL;
        for (int64_t d = 0; d < D; d++) o[d] = 0.0f;
        if (am)
            for (int64_t d = 0; d < D; d++) am[d] = -1;
        int64_t count = 0;
        for (int64_t j = a->offsets[b]; j < a->offsets[b + 1]; j++) {
            int64_t r = e4j_idx_at(a->idx, a->idx_type, j);
            if (r == a->padding_idx) continue;
            const float *w = a->W + r * D;
            if (a->mode == E4J_BAG_MAX) {
                /* the first entry initialises; later ones win only when strictly greater (PyTorch) */
                for (int64_t d = 0; d < D; d++)
                    if (count == 0 || w[d] > o[d]) {
                        o[d] = w[d];
                        am[d] = j;
                    }
            } else if (a->psw) {
                float s = a->psw[j];
                for (int64_t d = 0; d < D; d++) o[d] += w[d] * s;
            } else {
                for (int64_t d = 0; d < D; d++) o[d] += w[d];
            }
            count++;
        }
        if (a->mode == E4J_BAG_MEAN && count > 0) {
            float c = (float)count;
            for (int64_t d = 0; d < D; d++) o[d] /= c;
        }
    }
}

void e4j_reduce_rows_ref(float *acc, const float *src, const int64_t *perm, int64_t k0, int64_t k1, int64_t ld,
                         int64_t n) {
    for (int64_t d = 0; d < n; d++) acc[d] = 0.0f;
    for (int64_t k = k0; k < k1; k++) {
        const float *s = src + perm[k] * ld;
        for (int64_t d = 0; d < n; d++) acc[d] += s[d];
    }
}

void e4j_reduce_bag_rows_ref(float *acc, const e4j_bagbw_args *a, const int64_t *perm, int64_t k0, int64_t k1,
                             int64_t d0, int64_t n) {
    for (int64_t d = 0; d < n; d++) acc[d] = 0.0f;
    for (int64_t k = k0; k < k1; k++) {
        int64_t j = perm[k];
        int64_t b = e4j_bag_of(a->offsets, a->B, j);
        const float *g = a->dout + b * a->D + d0;
        if (a->mode == E4J_BAG_SUM) {
            if (a->psw) {
                float s = a->psw[j];
                for (int64_t d = 0; d < n; d++) acc[d] += g[d] * s;
            } else {
                for (int64_t d = 0; d < n; d++) acc[d] += g[d];
            }
        } else if (a->mode == E4J_BAG_MEAN) {
            float c = (float)e4j_bag_count(a, b);
            for (int64_t d = 0; d < n; d++) acc[d] += g[d] / c;
        } else {
            const int64_t *am = a->argmax + b * a->D + d0;
            for (int64_t d = 0; d < n; d++)
                if (am[d] == j) acc[d] += g[d];
        }
    }
}

void e4j_add_scaled_ref(float *dst, const float *src, float scale, int64_t n) {
    for (int64_t d = 0; d < n; d++) dst[d] += src[d] * scale;
}

void e4j_scale_ref(float *dst, float scale, int64_t n) {
    for (int64_t d = 0; d < n; d++) dst[d] *= scale;
}

float e4j_dot_ref(const float *a, const float *b, int64_t n) {
    float s = 0.0f;
    for (int64_t d = 0; d < n; d++) s += a[d] * b[d];
    return s;
}
