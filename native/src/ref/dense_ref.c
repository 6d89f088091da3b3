/* Scalar reference of the dense-layer and search primitives: bias add, column sums, ReLU, and dot
 * products of a query with rows of W (float, or int16 queries with int8 rows in exact integers).
 * ReLU follows PyTorch: relu(NaN) = NaN, relu(-0) = +0; its backward passes the gradient where
 * out > 0 or out is NaN (threshold_backward: out <= 0 -> 0). Thread-safe for disjoint outputs. */
#include "kernels.h"

#include <math.h>

void e4j_bias_add_ref(float *x, const float *bias, int64_t b0, int64_t b1, int64_t K) {
    for (int64_t b = b0; b < b1; b++)
        for (int64_t k = 0; k < K; k++) x[b * K + k] += bias[k];
}

void e4j_col_sums_ref(float *acc, const float *x, int64_t B, int64_t K, int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; k++) acc[k - k0] = 0.0f;
    for (int64_t b = 0; b < B; b++)
        for (int64_t k = k0; k < k1; k++) acc[k - k0] += x[b * K + k];
}

void e4j_relu_forward_ref(float *out, const float *in, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float x = in[i];
        out[i] = (x > 0.0f || x != x) ? x : 0.0f;
    }
}

void e4j_relu_backward_ref(float *din, const float *dout, const float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) din[i] = out[i] <= 0.0f ? 0.0f : dout[i];
}

void e4j_dot_rows_ref(float *scores, const float *q, const float *W, int64_t r0, int64_t r1, int64_t D) {
    for (int64_t r = r0; r < r1; r++) scores[r - r0] = e4j_dot_ref(q, W + r * D, D);
}

void e4j_dot_rows_i8_ref(int32_t *dots, const int16_t *q, int64_t G, const int8_t *W, int64_t ldw, int64_t r0,
                         int64_t r1, int64_t D) {
    for (int64_t g = 0; g < G; g++)
        for (int64_t r = r0; r < r1; r++) {
            const int8_t *w = W + r * ldw;
            int32_t s = 0;
            for (int64_t d = 0; d < D; d++) s += (int32_t)q[g * D + d] * (int32_t)w[d];
            dots[g * (r1 - r0) + (r - r0)] = s;
        }
}
