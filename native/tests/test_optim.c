/* C conformance tests of the optimizer kernels: dense_update (SGD variants, Adam, AdamW, Adagrad),
 * sparse_rows_update and the fused embedding_backward_update (SGD, Adagrad, row-wise Adagrad, SparseAdam),
 * and embedding_renorm. Expected values come from the torch.optim formulas written out here per element;
 * level 1 (AVX2) must equal level 0 bit for bit (the kernels use no FMA in these rules), the fused update
 * must equal compact backward + sparse_rows_update, and 1/2/4 threads must give identical bits. */
#include "test_util.h"

static e4j_optim make_opt(int kind) {
    e4j_optim o;
    memset(&o, 0, sizeof o);
    o.kind = kind;
    o.step = 3;
    o.lr = 0.05f;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.eps = 1e-8f;
    return o;
}

/* torch.optim per element, float arithmetic, written from the PyTorch docs */
static void naive_step(float *w, float *m, float *v, float g, const e4j_optim *o) {
    if (o->maximize) g = -g;
    double bc1 = 1.0 - pow(o->beta1, (double)o->step), bc2 = 1.0 - pow(o->beta2, (double)o->step);
    switch (o->kind) {
    case E4J_OPT_SGD:
        if (o->weight_decay != 0) g = g + o->weight_decay * *w;
        if (o->momentum != 0) {
            *m = o->first_step ? g : o->momentum * *m + (1 - o->dampening) * g;
            g = o->nesterov ? g + o->momentum * *m : *m;
        }
        *w = *w - o->lr * g;
        break;
    case E4J_OPT_ADAM:
    case E4J_OPT_ADAMW:
        if (o->kind == E4J_OPT_ADAMW)
            *w = *w * (1 - o->lr * o->weight_decay);
        else if (o->weight_decay != 0)
            g = g + o->weight_decay * *w;
        *m = o->beta1 * *m + (1 - o->beta1) * g;
        *v = o->beta2 * *v + (1 - o->beta2) * g * g;
        *w = *w - (float)(o->lr / bc1) * (*m / (sqrtf(*v) / (float)sqrt(bc2) + o->eps));
        break;
    case E4J_OPT_ADAGRAD:
        if (o->weight_decay != 0) g = g + o->weight_decay * *w;
        *m = *m + g * g;
        *w = *w - o->lr * (g / (sqrtf(*m) + o->eps));
        break;
    case E4J_OPT_SPARSE_ADAM:
        *m = *m + (g - *m) * (1 - o->beta1);
        *v = *v + (g * g - *v) * (1 - o->beta2);
        *w = *w - (float)(o->lr * sqrt(bc2) / bc1) * (*m / (sqrtf(*v) + o->eps));
        break;
    }
}

/* FBGEMM row-wise Adagrad on one row */
static void naive_rowwise(float *w, float *state, const float *g, int64_t D, const e4j_optim *o) {
    double ss = 0;
    for (int64_t d = 0; d < D; d++) {
        float gi = (o->maximize ? -g[d] : g[d]) + o->weight_decay * w[d];
        ss += (double)gi * gi;
    }
    *state += (float)(ss / D);
    float denom = sqrtf(*state) + o->eps;
    for (int64_t d = 0; d < D; d++) {
        float gi = (o->maximize ? -g[d] : g[d]) + o->weight_decay * w[d];
        w[d] = w[d] - o->lr * (gi / denom);
    }
}

static void test_dense_update(void) {
    struct {
        int kind;
        float momentum, dampening, wd;
        int nesterov, first, maximize;
    } cases[] = {
        {E4J_OPT_SGD, 0, 0, 0, 0, 0, 0},        {E4J_OPT_SGD, 0, 0, 0.01f, 0, 0, 1},
        {E4J_OPT_SGD, 0.9f, 0, 0, 0, 1, 0},     {E4J_OPT_SGD, 0.9f, 0.1f, 0.01f, 0, 0, 0},
        {E4J_OPT_SGD, 0.9f, 0, 0.01f, 1, 0, 0}, {E4J_OPT_ADAM, 0, 0, 0, 0, 0, 0},
        {E4J_OPT_ADAM, 0, 0, 0.01f, 0, 0, 1},   {E4J_OPT_ADAMW, 0, 0, 0.01f, 0, 0, 0},
        {E4J_OPT_ADAGRAD, 0, 0, 0, 0, 0, 0},    {E4J_OPT_ADAGRAD, 0, 0, 0.02f, 0, 0, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int s = 0; s < NSIZES; s++) {
            int64_t n = SIZES[s] * 37;
            e4j_optim o = make_opt(cases[c].kind);
            o.momentum = cases[c].momentum;
            o.dampening = cases[c].dampening;
            o.weight_decay = cases[c].wd;
            o.nesterov = cases[c].nesterov;
            o.first_step = cases[c].first;
            o.maximize = cases[c].maximize;
            float *w0 = rnd_floats(n), *g = rnd_floats(n), *m0 = rnd_floats(n), *v0 = rnd_floats(n);
            for (int64_t i = 0; i < n; i++)
                v0[i] = fabsf(v0[i]) + (o.kind == E4J_OPT_ADAGRAD ? 0 : 0),
                m0[i] = o.kind == E4J_OPT_ADAGRAD ? fabsf(m0[i]) : m0[i];
            float *we = copy_floats(w0, n), *me = copy_floats(m0, n), *ve = copy_floats(v0, n);
            for (int64_t i = 0; i < n; i++) naive_step(we + i, me + i, ve + i, g[i], &o);
            float *first = NULL;
            for (int lv = 0; lv < num_levels(); lv++)
                for (int th = 1; th <= 4; th *= 2) {
                    set_level(lv);
                    e4j_set_num_threads(th);
                    float *w = copy_floats(w0, n), *m = copy_floats(m0, n), *v = copy_floats(v0, n);
                    OK(e4j_dense_update(w, m, v, g, &o, n));
                    char what[80];
                    snprintf(what, sizeof what, "dense_update case %zu n %lld level %d", c, (long long)n, lv);
                    close_enough(what, w, we, n, 1e-6f, 1e-6f);
                    if (o.kind != E4J_OPT_SGD || o.momentum != 0)
                        close_enough("dense_update state1", m, me, n, 1e-6f, 1e-6f);
                    if (!first)
                        first = copy_floats(w, n);
                    else
                        bits_equal("dense_update bit-identical across levels/threads", w, first, n * 4);
                    free(w);
                    free(m);
                    free(v);
                }
            e4j_set_num_threads(1);
            free(w0);
            free(g);
            free(m0);
            free(v0);
            free(we);
            free(me);
            free(ve);
            free(first);
        }
    float w[2] = {1, 2}, g[2] = {0};
    e4j_optim o = make_opt(E4J_OPT_ROWWISE_ADAGRAD);
    expect_status("dense rowwise", e4j_dense_update(w, w, NULL, g, &o, 2), E4J_ERR_UNSUPPORTED, "ROWWISE_ADAGRAD");
    o = make_opt(E4J_OPT_ADAM);
    expect_status("dense adam no state", e4j_dense_update(w, NULL, NULL, g, &o, 2), E4J_ERR_INVALID_ARGUMENT, "state1");
    o.lr = NAN;
    float s1[2] = {0}, s2[2] = {0};
    expect_status("dense NaN lr", e4j_dense_update(w, s1, s2, g, &o, 2), E4J_ERR_INVALID_ARGUMENT, "lr");
    expect_true("dense untouched", w[0] == 1 && w[1] == 2);
}

static int64_t sort_idx(const int64_t *idx, int64_t N, int64_t V, int64_t *uniq, int64_t *seg, int64_t *perm) {
    int64_t ws_bytes = e4j_index_sort_workspace_bytes(N, V), U = -1;
    int64_t *ws = malloc((size_t)ws_bytes + 8);
    OK(e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, N, V, ws, ws_bytes));
    free(ws);
    return U;
}

static void test_fused(void) {
    const int kinds[] = {E4J_OPT_SGD, E4J_OPT_ADAGRAD, E4J_OPT_ROWWISE_ADAGRAD, E4J_OPT_SPARSE_ADAM};
    for (int s = 0; s < NSIZES + 2; s++) {
        int64_t D = s < NSIZES ? SIZES[s] : s == NSIZES ? 1500 : 64; /* 1500: rows wider than the stack chunk */
        int64_t N = s == NSIZES + 1 ? 20000 : 50, V = s == NSIZES + 1 ? 400 : 13;
        int64_t *idx = malloc((size_t)N * 8), *uniq = malloc((size_t)N * 8), *seg = malloc((size_t)(N + 1) * 8),
                *perm = malloc((size_t)N * 8);
        for (int64_t j = 0; j < N; j++) idx[j] = rnd_int(V);
        int64_t U = sort_idx(idx, N, V, uniq, seg, perm);
        float *dout = rnd_floats(N * D), *w0 = rnd_floats(V * D), *s10 = rnd_floats(V * D), *s20 = rnd_floats(V * D);
        for (int64_t i = 0; i < V * D; i++) {
            s10[i] = fabsf(s10[i]);
            s20[i] = fabsf(s20[i]);
        }
        for (int k = 0; k < 4; k++)
            for (int freq = 0; freq < 2; freq++) {
                e4j_optim o = make_opt(kinds[k]);
                o.weight_decay = kinds[k] == E4J_OPT_SPARSE_ADAM ? 0.0f : 0.01f;
                o.maximize = freq;
                /* expected: compact gradient rows (level 0) then the naive rule */
                set_level(0);
                float *rows = filled(U * D, 0.0f), *we = copy_floats(w0, V * D), *s1e = copy_floats(s10, V * D),
                      *s2e = copy_floats(s20, V * D);
                OK(e4j_embedding_backward(rows, dout, uniq, seg, perm, freq, 1, U, N, D));
                for (int64_t u = 0; u < U; u++) {
                    int64_t r = uniq[u];
                    if (kinds[k] == E4J_OPT_ROWWISE_ADAGRAD)
                        naive_rowwise(we + r * D, s1e + r, rows + u * D, D, &o);
                    else
                        for (int64_t d = 0; d < D; d++)
                            naive_step(we + r * D + d, s1e + r * D + d, s2e + r * D + d, rows[u * D + d], &o);
                }
                float *first = NULL;
                for (int lv = 0; lv < num_levels(); lv++)
                    for (int th = 1; th <= 4; th *= 2) {
                        set_level(lv);
                        e4j_set_num_threads(th);
                        float *w = copy_floats(w0, V * D), *s1 = copy_floats(s10, V * D), *s2 = copy_floats(s20, V * D);
                        float *w2 = copy_floats(w0, V * D), *s1b = copy_floats(s10, V * D),
                              *s2b = copy_floats(s20, V * D);
                        OK(e4j_embedding_backward_update(w, s1, kinds[k] == E4J_OPT_SPARSE_ADAM ? s2 : NULL, dout, uniq,
                                                         seg, perm, freq, &o, U, N, V, D));
                        OK(e4j_sparse_rows_update(w2, s1b, kinds[k] == E4J_OPT_SPARSE_ADAM ? s2b : NULL, rows, uniq, &o,
                                                  U, V, D));
                        char what[96];
                        snprintf(what, sizeof what, "fused kind %d freq %d D %lld level %d threads %d", kinds[k], freq,
                                 (long long)D, lv, th);
                        close_enough(what, w, we, V * D, 1e-6f, 1e-5f);
                        close_enough("fused state1", s1, s1e, V * D, 1e-6f, 1e-5f);
                        close_enough("sparse_rows_update", w2, we, V * D, 1e-6f, 1e-5f);
                        if (lv == 0) bits_equal("fused == backward + sparse_rows_update", w, w2, V * D * 4);
                        if (!first)
                            first = copy_floats(w, V * D);
                        else if (lv == 0 || th > 1)
                            bits_equal("fused bit-identical across threads", w, first, V * D * 4);
                        if (lv >= 1 && th == 1) { /* the row-wise Adagrad sum rounds per level */
                            free(first);
                            first = copy_floats(w, V * D);
                        }
                        free(w);
                        free(s1);
                        free(s2);
                        free(w2);
                        free(s1b);
                        free(s2b);
                    }
                e4j_set_num_threads(1);
                free(rows);
                free(we);
                free(s1e);
                free(s2e);
                free(first);
            }
        free(idx);
        free(uniq);
        free(seg);
        free(perm);
        free(dout);
        free(w0);
        free(s10);
        free(s20);
    }
    float w[4] = {1, 2, 3, 4}, s1[4] = {0}, dout[2] = {0};
    int64_t uniq[1] = {2}, seg[2] = {0, 1}, perm[1] = {0};
    e4j_optim o = make_opt(E4J_OPT_ADAM);
    expect_status("fused adam", e4j_embedding_backward_update(w, s1, s1, dout, uniq, seg, perm, 0, &o, 1, 1, 2, 2),
                  E4J_ERR_UNSUPPORTED, "ADAM");
    o = make_opt(E4J_OPT_SGD);
    o.momentum = 0.9f;
    expect_status("fused momentum",
                  e4j_embedding_backward_update(w, s1, NULL, dout, uniq, seg, perm, 0, &o, 1, 1, 2, 2),
                  E4J_ERR_UNSUPPORTED, "momentum");
    o.momentum = 0;
    expect_status("fused uniq range",
                  e4j_embedding_backward_update(w, NULL, NULL, dout, uniq, seg, perm, 0, &o, 1, 1, 2, 2), E4J_ERR_INDEX,
                  "row 2 at uniq position 0 is out of range [0, 2)");
    expect_status("rows uniq range", e4j_sparse_rows_update(w, NULL, NULL, dout, uniq, &o, 1, 2, 2), E4J_ERR_INDEX,
                  "row 2");
    expect_true("fused untouched", w[0] == 1 && w[3] == 4);
}

static double pnorm(const float *x, int64_t D, double p) {
    double s = 0;
    for (int64_t d = 0; d < D; d++) s = isinf(p) ? fmax(s, fabs(x[d])) : s + pow(fabs(x[d]), p);
    return isinf(p) ? s : pow(s, 1 / p);
}

static void test_renorm(void) {
    const float ps[] = {1.0f, 2.0f, 3.0f, INFINITY};
    for (int s = 0; s < NSIZES; s++)
        for (int pi = 0; pi < 4; pi++) {
            int64_t D = SIZES[s], V = 9, uniq[4] = {0, 3, 4, 8};
            float *w0 = rnd_floats(V * D), *we = copy_floats(w0, V * D), max_norm = 0.7f;
            for (int u = 0; u < 4; u++) {
                double n = pnorm(w0 + uniq[u] * D, D, ps[pi]);
                if (n > max_norm)
                    for (int64_t d = 0; d < D; d++) we[uniq[u] * D + d] *= (float)(max_norm / (n + 1e-7));
            }
            float *first = NULL;
            for (int lv = 0; lv < num_levels(); lv++) {
                set_level(lv);
                float *w = copy_floats(w0, V * D);
                OK(e4j_embedding_renorm(w, uniq, max_norm, ps[pi], 4, V, D));
                close_enough("renorm", w, we, V * D, 1e-6f, 1e-5f);
                if (!first)
                    first = copy_floats(w, V * D);
                else
                    bits_equal("renorm avx2 == scalar", w, first, V * D * 4);
                free(w);
            }
            free(w0);
            free(we);
            free(first);
        }
    float w[4] = {5, 5, 5, 5};
    int64_t dup[2] = {1, 1};
    expect_status("renorm duplicates", e4j_embedding_renorm(w, dup, 1, 2, 2, 2, 2), E4J_ERR_INVALID_ARGUMENT,
                  "strictly ascending");
    expect_status("renorm p", e4j_embedding_renorm(w, dup, 1, -1, 1, 2, 2), E4J_ERR_INVALID_ARGUMENT, "norm_type");
    expect_true("renorm untouched", w[2] == 5);
}

int main(void) {
    test_init("test_optim");
    test_dense_update();
    test_fused();
    test_renorm();
    return test_finish("test_optim");
}
