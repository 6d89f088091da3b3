/* Exported dense-layer kernels: e4j_bias_add (x[b,:] += bias), e4j_bias_backward (dbias += column sums
 * of dout, each column summed over b in order from 0, then added), e4j_relu_forward / e4j_relu_backward
 * (PyTorch semantics, see dense_ref.c). Results are bit-identical across ISA levels and thread counts
 * (elementwise, or one column per thread in a fixed order). Thread-safe. */
#include "kernels.h"

typedef struct lin_ctx {
    const e4j_prims *p;
    float *x;
    const float *y, *z;
    int64_t B, K;
} lin_ctx;

static void bias_range(void *vctx, int64_t b0, int64_t b1) {
    const lin_ctx *c = (const lin_ctx *)vctx;
    c->p->bias_add(c->x, c->y, b0, b1, c->K);
}

E4J_API e4j_status e4j_bias_add(float *x, const float *bias, int64_t B, int64_t K) {
    if (B < 0 || K < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got B=%lld K=%lld", (long long)B, (long long)K);
    if (B == 0 || K == 0) return E4J_OK;
    if (!x || !bias) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "bias_add: x and bias must not be NULL");
    lin_ctx c = {e4j_prims_get(), x, bias, NULL, B, K};
    e4j_parallel_for(B, e4j_grain(K), bias_range, &c);
    return E4J_OK;
}

#define COLS 256 /* columns summed per block (stack buffer) */

static void colsum_range(void *vctx, int64_t j0, int64_t j1) {
    const lin_ctx *c = (const lin_ctx *)vctx;
    float acc[COLS];
    for (int64_t j = j0; j < j1; j++) {
        int64_t k0 = j * COLS, k1 = k0 + COLS < c->K ? k0 + COLS : c->K;
        c->p->col_sums(acc, c->y, c->B, c->K, k0, k1);
        for (int64_t k = k0; k < k1; k++) c->x[k] += acc[k - k0];
    }
}

E4J_API e4j_status e4j_bias_backward(float *dbias, const float *dout, int64_t B, int64_t K) {
    if (B < 0 || K < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got B=%lld K=%lld", (long long)B, (long long)K);
    if (K == 0) return E4J_OK;
    if (!dbias || (B > 0 && !dout))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "bias_backward: dbias and dout must not be NULL");
    if (B == 0) return E4J_OK;
    lin_ctx c = {e4j_prims_get(), dbias, dout, NULL, B, K};
    e4j_parallel_for((K + COLS - 1) / COLS, e4j_grain(B * COLS), colsum_range, &c);
    return E4J_OK;
}

static void relu_f_range(void *vctx, int64_t i0, int64_t i1) {
    const lin_ctx *c = (const lin_ctx *)vctx;
    c->p->relu_forward(c->x + i0, c->y + i0, i1 - i0);
}

E4J_API e4j_status e4j_relu_forward(float *out, const float *in, int64_t n) {
    if (n < 0) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "size must be >= 0, got n=%lld", (long long)n);
    if (n == 0) return E4J_OK;
    if (!out || !in) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "relu_forward: out and in must not be NULL");
    lin_ctx c = {e4j_prims_get(), out, in, NULL, 0, 0};
    e4j_parallel_for(n, e4j_grain(1), relu_f_range, &c);
    return E4J_OK;
}

static void relu_b_range(void *vctx, int64_t i0, int64_t i1) {
    const lin_ctx *c = (const lin_ctx *)vctx;
    c->p->relu_backward(c->x + i0, c->y + i0, c->z + i0, i1 - i0);
}

E4J_API e4j_status e4j_relu_backward(float *din, const float *dout, const float *out, int64_t n) {
    if (n < 0) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "size must be >= 0, got n=%lld", (long long)n);
    if (n == 0) return E4J_OK;
    if (!din || !dout || !out)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "relu_backward: din, dout and out must not be NULL");
    lin_ctx c = {e4j_prims_get(), din, dout, out, 0, 0};
    e4j_parallel_for(n, e4j_grain(1), relu_b_range, &c);
    return E4J_OK;
}
