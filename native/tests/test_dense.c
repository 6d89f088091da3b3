/* C conformance tests of the dense-layer and search kernels: bias_add / bias_backward, ReLU,
 * softmax cross-entropy (against a double-precision transcription of PyTorch's cross_entropy with
 * weights, ignore_index and label smoothing), row_norms and topk (against a brute-force sort), topk_i8 (against
 * its score transcribed in plain loops, bit for bit).
 * Each runs at every level the CPU has (0 scalar, 1 AVX2, 2 AVX-512); bias and ReLU must match bit for bit
 * across levels. */
#include "naive_xent.h"
#include "test_util.h"

static void test_bias_relu(void) {
    for (int s = 0; s < NSIZES; s++) {
        int64_t K = SIZES[s], B = 7 + s;
        float *x0 = rnd_floats(B * K), *bias = rnd_floats(K), *want = copy_floats(x0, B * K), *db0 = rnd_floats(K);
        float *dbw = copy_floats(db0, K);
        x0[0] = NAN;
        x0[B * K - 1] = -0.0f;
        want[0] = NAN;
        want[B * K - 1] = -0.0f;
        for (int64_t b = 0; b < B; b++)
            for (int64_t k = 0; k < K; k++) want[b * K + k] += bias[k];
        for (int64_t k = 0; k < K; k++) {
            float acc = 0;
            for (int64_t b = 0; b < B; b++) acc += x0[b * K + k];
            dbw[k] += acc;
        }
        float *relu_w = filled(B * K, 0), *drelu_w = filled(B * K, 0), *dout = rnd_floats(B * K);
        for (int64_t i = 0; i < B * K; i++) {
            relu_w[i] = x0[i] > 0 || isnan(x0[i]) ? x0[i] : 0.0f;
            drelu_w[i] = relu_w[i] <= 0 ? 0.0f : dout[i];
        }
        for (int lv = 0; lv < num_levels(); lv++) {
            set_level(lv);
            float *x = copy_floats(x0, B * K), *db = copy_floats(db0, K), *r = filled(B * K, 9), *dr = filled(B * K, 9);
            OK(e4j_bias_add(x, bias, B, K));
            bits_equal("bias_add", x, want, B * K * 4);
            OK(e4j_bias_backward(db, x0, B, K));
            bits_equal("bias_backward", db, dbw, K * 4);
            OK(e4j_relu_forward(r, x0, B * K));
            bits_equal("relu_forward", r, relu_w, B * K * 4);
            OK(e4j_relu_backward(dr, dout, r, B * K));
            bits_equal("relu_backward", dr, drelu_w, B * K * 4);
            memcpy(x, x0, (size_t)(B * K) * 4);
            OK(e4j_relu_forward(x, x, B * K)); /* in place */
            bits_equal("relu_forward in place", x, relu_w, B * K * 4);
            free(x);
            free(db);
            free(r);
            free(dr);
        }
        free(x0);
        free(bias);
        free(want);
        free(db0);
        free(dbw);
        free(relu_w);
        free(drelu_w);
        free(dout);
    }
    expect_status("bias negative", e4j_bias_add(NULL, NULL, -1, 2), E4J_ERR_INVALID_ARGUMENT, "B=-1");
}

static void test_xent(void) {
    for (int s = 0; s < NSIZES; s++)
        for (int cfg = 0; cfg < 6; cfg++) {
            int64_t K = SIZES[s], B = 5 + s, ign = cfg == 5 ? 0 : -100;
            float *x = rnd_floats(B * K), *w = cfg & 1 ? rnd_floats(K) : NULL;
            for (int64_t i = 0; i < B * K; i++) x[i] *= 8.0f;
            if (w)
                for (int64_t k = 0; k < K; k++) w[k] = fabsf(w[k]) + 0.1f;
            int64_t *t = malloc((size_t)B * 8);
            for (int64_t i = 0; i < B; i++) t[i] = cfg == 4 ? -100 : (i % 4 == 3 ? ign : rnd_int(K));
            double eps = cfg & 2 ? 0.1 : 0.0;
            for (int red = 0; red < 3; red++) {
                float *dxw = filled(B * K, 0), *lw = filled(B, 0);
                double want = naive_xent(red == 0 ? lw : NULL, dxw, x, t, w, ign, eps, red, B, K);
                for (int lv = 0; lv < num_levels(); lv++) {
                    set_level(lv);
                    float *loss = filled(B, 7), *dx = filled(B * K, 7), *inplace = copy_floats(x, B * K), loss2[1];
                    OK(e4j_softmax_xent(loss, dx, x, t, w, ign, (float)eps, red, B, K));
                    char what[96];
                    snprintf(what, sizeof what, "xent K %lld cfg %d reduction %d level %d", (long long)K, cfg, red, lv);
                    if (red == 0)
                        close_enough(what, loss, lw, B, 1e-5f, 1e-5f);
                    else {
                        float wf = (float)want;
                        close_enough(what, loss, &wf, 1, 1e-5f, 1e-5f);
                    }
                    close_enough("xent dlogits", dx, dxw, B * K, 1e-6f, 1e-4f);
                    OK(e4j_softmax_xent(red == 0 ? loss : loss2, inplace, inplace, t, w, ign, (float)eps, red, B, K));
                    bits_equal("xent in place == out of place", inplace, dx, B * K * 4);
                    free(loss);
                    free(dx);
                    free(inplace);
                }
                free(dxw);
                free(lw);
            }
            free(x);
            free(w);
            free(t);
        }
    /* all ignored under MEAN: NaN and zero grad */
    float x[6] = {1, 2, 3, 4, 5, 6}, dx[6], loss = 0;
    int64_t t[2] = {-100, -100};
    OK(e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0, E4J_REDUCE_MEAN, 2, 3));
    expect_true("all ignored -> NaN", isnan(loss) && dx[0] == 0 && dx[5] == 0);
    /* bad inputs: nothing written */
    float sentinel[6] = {9, 9, 9, 9, 9, 9};
    memcpy(dx, sentinel, sizeof dx);
    loss = 9;
    t[0] = 1;
    t[1] = 3;
    expect_status("xent target", e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0, E4J_REDUCE_SUM, 2, 3), E4J_ERR_INDEX,
                  "target 3 at row 1");
    t[1] = 0;
    x[4] = NAN;
    expect_status("xent NaN", e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0, E4J_REDUCE_SUM, 2, 3),
                  E4J_ERR_INVALID_ARGUMENT, "(row, col) = (1, 1)");
    x[4] = INFINITY;
    expect_status("xent Inf", e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0, E4J_REDUCE_SUM, 2, 3),
                  E4J_ERR_INVALID_ARGUMENT, "inf");
    expect_true("xent untouched", loss == 9 && !memcmp(dx, sentinel, sizeof dx));
}

static int better(float sa, int64_t ra, float sb, int64_t rb) { return sa > sb || (sa == sb && ra < rb); }

static void test_search(void) {
    for (int s = 0; s < NSIZES; s++)
        for (int cos = 0; cos < 2; cos++) {
            int64_t D = SIZES[s], V = 300, Q = 3, E = 2, ks[] = {1, 5, 64, 300};
            float *W = rnd_floats(V * D), *q = rnd_floats(Q * D), *norms = filled(V, 0), *nw = filled(V, 0);
            memset(W + 7 * D, 0, (size_t)D * 4);           /* a zero row: -inf under cosine */
            memcpy(W + 20 * D, W + 10 * D, (size_t)D * 4); /* a duplicate row: tie, lower index first */
            for (int64_t v = 0; v < V; v++) {
                double a = 0;
                for (int64_t d = 0; d < D; d++) a += (double)W[v * D + d] * W[v * D + d];
                nw[v] = (float)sqrt(a);
            }
            int64_t ex[6] = {3, -1, -1, -1, 10, 0};
            for (int lv = 0; lv < num_levels(); lv++) {
                set_level(lv);
                OK(e4j_row_norms(norms, W, V, D));
                close_enough("row_norms", norms, nw, V, 1e-6f, 1e-5f);
                for (int ki = 0; ki < 4; ki++) {
                    int64_t k = ks[ki];
                    int64_t *oi = malloc((size_t)(Q * k) * 8);
                    float *os = filled(Q * k, 0);
                    OK(e4j_topk(oi, os, W, cos ? norms : NULL, q, ex, Q, V, D, k, E));
                    for (int64_t qi = 0; qi < Q; qi++) {
                        /* brute force: the row's own score as the kernel computed it must rank as returned */
                        double qn = 0;
                        for (int64_t d = 0; d < D; d++) qn += (double)q[qi * D + d] * q[qi * D + d];
                        int64_t nvalid = V;
                        for (int e = 0; e < E; e++) nvalid -= ex[qi * E + e] >= 0;
                        int ok = 1;
                        for (int64_t j = 0; j < k; j++) {
                            int64_t r = oi[qi * k + j];
                            if (j >= nvalid) {
                                ok &= r == -1 && isinf(os[qi * k + j]) && os[qi * k + j] < 0;
                                continue;
                            }
                            ok &= r >= 0 && r < V && r != ex[qi * E] && r != ex[qi * E + 1];
                            if (!ok) break;
                            double dot = 0, mag = 0;
                            for (int64_t d = 0; d < D; d++) {
                                dot += (double)q[qi * D + d] * W[r * D + d];
                                mag += fabs((double)q[qi * D + d] * W[r * D + d]);
                            }
                            double want = cos ? (nw[r] == 0 ? -INFINITY : dot / (sqrt(qn) * nw[r])) : dot;
                            if (cos && nw[r] != 0) mag /= sqrt(qn) * nw[r];
                            /* float sums of D terms: ~sqrt(D) roundings of the running sum (4099 columns) */
                            ok &= isinf(want) ? os[qi * k + j] == (float)want
                                              : fabs(os[qi * k + j] - want) <=
                                                    1e-5 + 1e-4 * fabs(want) + 2.4e-7 * sqrt((double)D) * mag;
                            if (j > 0) ok &= better(os[qi * k + j - 1], oi[qi * k + j - 1], os[qi * k + j], r);
                        }
                        /* nothing left out scores better than the last kept (with a tolerance) */
                        int64_t last = k < nvalid ? k - 1 : nvalid - 1;
                        for (int64_t r = 0; ok && r < V && last >= 0; r++) {
                            int kept = r == ex[qi * E] || r == ex[qi * E + 1];
                            for (int64_t j = 0; j <= last; j++) kept |= oi[qi * k + j] == r;
                            if (kept) continue;
                            double dot = 0, mag = 0;
                            for (int64_t d = 0; d < D; d++) {
                                dot += (double)q[qi * D + d] * W[r * D + d];
                                mag += fabs((double)q[qi * D + d] * W[r * D + d]);
                            }
                            double sc = cos ? (nw[r] == 0 ? -INFINITY : dot / (sqrt(qn) * nw[r])) : dot;
                            if (cos && nw[r] != 0) mag /= sqrt(qn) * nw[r];
                            ok &= !(sc > os[qi * k + last] + 1e-4 + 1e-4 * fabs(sc) + 4.8e-7 * sqrt((double)D) * mag);
                        }
                        char what[96];
                        snprintf(what, sizeof what, "topk D %lld cos %d k %lld query %lld level %d", (long long)D, cos,
                                 (long long)k, (long long)qi, lv);
                        expect_true(what, ok);
                        if (k >= 64 && !(qi == 2 && ex[5] == 0)) { /* the duplicate pair 10/20 appears in order */
                            int64_t p10 = -1, p20 = -1;
                            for (int64_t j = 0; j < k; j++) {
                                if (oi[qi * k + j] == 10) p10 = j;
                                if (oi[qi * k + j] == 20) p20 = j;
                            }
                            if (p10 >= 0 && p20 >= 0 && qi != 2) expect_true("topk tie: lower row first", p10 < p20);
                        }
                    }
                    free(oi);
                    free(os);
                }
            }
            free(W);
            free(q);
            free(norms);
            free(nw);
        }
    /* split path (few queries, several threads) must equal the one-thread result bit for bit */
    {
        int64_t V = 5000, D = 64, Q = 2, E = 1, ks[] = {1, 10, 128, 200}, ex[2] = {17, -1};
        float *W = rnd_floats(V * D), *q = rnd_floats(Q * D), *norms = filled(V, 0);
        memcpy(W + 4000 * D, W + 100 * D, (size_t)D * 4); /* a tie across slices */
        memcpy(q, W + 100 * D, (size_t)D * 4);
        for (int lv = 0; lv < num_levels(); lv++) {
            set_level(lv);
            OK(e4j_row_norms(norms, W, V, D));
            for (int ki = 0; ki < 4; ki++)
                for (int cos = 0; cos < 2; cos++) {
                    int64_t k = ks[ki], *i1 = malloc((size_t)(Q * k) * 8), *i2 = malloc((size_t)(Q * k) * 8);
                    float *s1 = filled(Q * k, 0), *s2 = filled(Q * k, 0);
                    for (int64_t qq = 1; qq <= Q; qq++) {
                        e4j_set_num_threads(1);
                        OK(e4j_topk(i1, s1, W, cos ? norms : NULL, q, ex, qq, V, D, k, E));
                        for (int th = 2; th <= 4; th += 2) {
                            e4j_set_num_threads(th);
                            OK(e4j_topk(i2, s2, W, cos ? norms : NULL, q, ex, qq, V, D, k, E));
                            bits_equal("topk split idx == one thread", i2, i1, qq * k * 8);
                            bits_equal("topk split score == one thread", s2, s1, qq * k * 4);
                        }
                    }
                    if (cos && k >= 2)
                        expect_true("topk finds the query row and its copy in order", i1[0] == 100 && i1[1] == 4000);
                    free(i1);
                    free(i2);
                    free(s1);
                    free(s2);
                }
        }
        e4j_set_num_threads(1);
        free(W);
        free(q);
        free(norms);
    }
    int64_t oi[2], ex[1] = {5};
    float os[2], W[4] = {1, 0, 0, 1}, q[2] = {1, 1};
    expect_status("topk exclude range", e4j_topk(oi, os, W, NULL, q, ex, 1, 2, 2, 2, 1), E4J_ERR_INDEX,
                  "exclude value 5");
}

/* e4j_topk_i8's score transcribed from embed4j.h, in plain loops: the kernels must give these bits */
static float i8_score(const float *q, const int8_t *w, float rs, int64_t D) {
    int64_t qmax = INT32_MAX / (128 * D) < 32767 ? INT32_MAX / (128 * D) : 32767;
    int B = 0;
    while ((int64_t)2 << B <= qmax) B++;
    float amax = 0.0f;
    double ss = 0.0;
    for (int64_t d = 0; d < D; d++) {
        amax = fabsf(q[d]) > amax ? fabsf(q[d]) : amax;
        ss += (double)q[d] * q[d];
    }
    float qn = (float)sqrt(ss);
    if (!(qn > 0.0f && qn < INFINITY) || rs == 0.0f) return -INFINITY;
    int e;
    frexpf(amax, &e);
    int64_t dot = 0;
    for (int64_t d = 0; d < D; d++) dot += (int64_t)rintf(ldexpf(q[d], B - e)) * w[d]; /* float scaling */
    return (float)dot * rs * (float)ldexp(1.0 / qn, e - B);
}

/* topk_i8 with k > V returns every row: its order and each score, bit for bit, at every level and thread count,
 * for D across the vector widths and the dimension chunk, V across the row block, Q = 1..9 (query groups and
 * their remainders), int8 extremes, zero scales, a zero and a non-finite query, and the largest dots. */
static void test_topk_i8(void) {
    const int64_t dims[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 600}, rows[] = {1, 5, 37, 300};
    for (int di = 0; di < 12; di++)
        for (int vi = 0; vi < 4; vi++) {
            int64_t D = dims[di], V = rows[vi], Q = 9, k = V + 2;
            int8_t *W = malloc((size_t)(V * D));
            float *rs = filled(V, 0), *q = rnd_floats(Q * D), *want = filled(Q * k, 0), *got = filled(Q * k, 0);
            int64_t *wi = malloc((size_t)(Q * k) * 8), *gi = malloc((size_t)(Q * k) * 8);
            for (int64_t i = 0; i < V * D; i++) W[i] = (int8_t)(rnd_int(256) - 128);
            for (int64_t v = 0; v < V; v++) rs[v] = v % 11 == 3 ? 0.0f : 0.001f + 0.01f * fabsf(rnd_float());
            for (int64_t d = 0; d < D; d++) {
                W[d] = -128; /* row 0 against query 4 (all -3e5): the largest dot there is */
                q[4 * D + d] = -3e5f;
                q[2 * D + d] = 0.0f; /* query 2: zero */
            }
            q[6 * D + D / 2] = NAN;           /* query 6: not finite */
            for (int64_t j = 0; j < Q; j++) { /* the spec: every row, best first, ties to the lower row */
                for (int64_t v = 0; v < V; v++) {
                    float sv = i8_score(q + j * D, W + v * D, rs[v], D);
                    int64_t at = v;
                    while (at > 0 && better(sv, v, want[j * k + at - 1], wi[j * k + at - 1])) {
                        want[j * k + at] = want[j * k + at - 1];
                        wi[j * k + at] = wi[j * k + at - 1];
                        at--;
                    }
                    want[j * k + at] = sv;
                    wi[j * k + at] = v;
                }
                for (int64_t v = V; v < k; v++) {
                    want[j * k + v] = -INFINITY;
                    wi[j * k + v] = -1;
                }
            }
            for (int lv = 0; lv < num_levels(); lv++) {
                set_level(lv);
                for (int th = 1; th <= 4; th *= 2) {
                    e4j_set_num_threads(th);
                    for (int64_t nq = 1; nq <= Q; nq++) {
                        char what[96];
                        snprintf(what, sizeof what, "topk_i8 D %lld V %lld Q %lld level %d threads %d", (long long)D,
                                 (long long)V, (long long)nq, lv, th);
                        OK(e4j_topk_i8(gi, got, W, rs, q, nq, V, D, k));
                        bits_equal(what, gi, wi, nq * k * 8);
                        bits_equal(what, got, want, nq * k * 4);
                    }
                }
            }
            e4j_set_num_threads(1);
            free(W);
            free(rs);
            free(q);
            free(want);
            free(got);
            free(wi);
            free(gi);
        }
    int64_t oi[1];
    float os[1], rs[1] = {1.0f}, q[1] = {1.0f};
    int8_t W[1] = {1};
    expect_status("topk_i8 D too large", e4j_topk_i8(oi, os, W, rs, q, 1, 1, (int64_t)1 << 25, 1),
                  E4J_ERR_INVALID_ARGUMENT, "int32 dot limit");
}

int main(void) {
    test_init("test_dense");
    test_bias_relu();
    test_xent();
    test_search();
    test_topk_i8();
    return test_finish("test_dense");
}
