/* C conformance tests of the embedding kernels: gather, bag forward, index sort, embedding backward
 * and bag backward. Each kernel runs at ISA level 0 (scalar reference) and 1 (AVX2, when the CPU has
 * it) on awkward sizes and is compared with a naive loop written here (double sums, abs+rel tolerance)
 * and level 1 with level 0 bit for bit where the kernels promise it; backward is also run with 1, 2
 * and 4 threads and must be bit-identical. Bad inputs must return the documented status and leave the
 * outputs untouched. */
#include "test_util.h"

static void make_idx(int64_t *idx, int64_t N, int64_t V, int64_t pad) {
    for (int64_t j = 0; j < N; j++) {
        int64_t c = rnd_int(10);
        idx[j] = c == 0 ? 0 : c == 1 ? V - 1 : (c == 2 && pad >= 0) ? pad : rnd_int(V);
    }
}

static void test_gather(void) {
    const int64_t V = 23, N = 41;
    for (int s = 0; s < NSIZES; s++) {
        int64_t D = SIZES[s];
        float *W = rnd_floats(V * D), *want = filled(N * D, 0), *out = filled(N * D, 0);
        int64_t idx[41];
        int32_t idx32[41];
        make_idx(idx, N, V, -1);
        for (int64_t j = 0; j < N; j++) {
            idx32[j] = (int32_t)idx[j];
            memcpy(want + j * D, W + idx[j] * D, (size_t)D * sizeof(float));
        }
        for (int lv = 0; lv < num_levels(); lv++) {
            set_level(lv);
            OK(e4j_gather_forward(out, W, idx, E4J_INT64, N, V, D));
            bits_equal("gather int64", out, want, N * D * 4);
            memset(out, 0, (size_t)(N * D) * 4);
            OK(e4j_gather_forward(out, W, idx32, E4J_INT32, N, V, D));
            bits_equal("gather int32", out, want, N * D * 4);
        }
        free(W);
        free(want);
        free(out);
    }
    /* bad index: error names position and value, output untouched */
    float W[6] = {1, 2, 3, 4, 5, 6}, out[40], sentinel[40];
    int64_t idx[20] = {0};
    for (int i = 0; i < 40; i++) out[i] = sentinel[i] = -7.0f;
    idx[17] = 3;
    expect_status("gather out of range", e4j_gather_forward(out, W, idx, E4J_INT64, 20, 3, 2), E4J_ERR_INDEX,
                  "index 3 at position 17 is out of range [0, 3)");
    idx[17] = -1;
    expect_status("gather negative", e4j_gather_forward(out, W, idx, E4J_INT64, 20, 3, 2), E4J_ERR_INDEX,
                  "index -1 at position 17");
    bits_equal("gather untouched", out, sentinel, sizeof out);
    expect_status("gather idx_type", e4j_gather_forward(out, W, idx, 3, 20, 3, 2), E4J_ERR_INVALID_ARGUMENT,
                  "idx_type");
    expect_status("gather NULL", e4j_gather_forward(NULL, W, idx, E4J_INT64, 20, 3, 2), E4J_ERR_INVALID_ARGUMENT, NULL);
    expect_status("gather negative N", e4j_gather_forward(out, W, idx, E4J_INT64, -1, 3, 2), E4J_ERR_INVALID_ARGUMENT,
                  NULL);
}

/* naive bag forward in double (max: first wins, later only when strictly greater) */
static void naive_bag(float *out, int64_t *am, const float *W, const int64_t *idx, const int64_t *off, const float *psw,
                      int mode, int64_t pad, int64_t B, int64_t D) {
    for (int64_t b = 0; b < B; b++)
        for (int64_t d = 0; d < D; d++) {
            double s = 0;
            int64_t cnt = 0, arg = -1;
            float mx = 0;
            for (int64_t j = off[b]; j < off[b + 1]; j++) {
                if (idx[j] == pad) continue;
                float w = W[idx[j] * D + d];
                s += (double)w * (psw ? psw[j] : 1.0f);
                if (cnt == 0 || w > mx) {
                    mx = w;
                    arg = j;
                }
                cnt++;
            }
            out[b * D + d] = mode == E4J_BAG_MAX    ? (cnt ? mx : 0.0f)
                             : mode == E4J_BAG_MEAN ? (cnt ? (float)(s / cnt) : 0.0f)
                                                    : (float)s;
            if (am) am[b * D + d] = arg;
        }
}

static void make_offsets(int64_t *off, int64_t B, int64_t maxlen) {
    off[0] = 0;
    for (int64_t b = 0; b < B; b++) off[b + 1] = off[b] + (b == 1 ? 0 : rnd_int(maxlen + 1));
}

static void test_bag_forward(void) {
    const int64_t V = 19, B = 13;
    int64_t off[14];
    for (int s = 0; s < NSIZES; s++) {
        int64_t D = SIZES[s];
        make_offsets(off, B, 7);
        int64_t N = off[B], pad = 4;
        int64_t *idx = malloc((size_t)(N + 1) * 8);
        int32_t *idx32 = malloc((size_t)(N + 1) * 4);
        make_idx(idx, N, V, pad);
        for (int64_t j = off[2]; j < off[3]; j++) idx[j] = pad; /* a bag of padding only */
        for (int64_t j = 0; j < N; j++) idx32[j] = (int32_t)idx[j];
        float *W = rnd_floats(V * D), *psw = rnd_floats(N), *want = filled(B * D, 0), *got[MAX_LEVELS],
              *got32 = filled(B * D, 0);
        int64_t *am_want = malloc((size_t)(B * D) * 8), *am[MAX_LEVELS];
        for (int lv = 0; lv < MAX_LEVELS; lv++) am[lv] = malloc((size_t)(B * D) * 8);
        for (int mode = 0; mode < 3; mode++)
            for (int use_psw = 0; use_psw < (mode == 0 ? 2 : 1); use_psw++) {
                const float *p = use_psw ? psw : NULL;
                naive_bag(want, am_want, W, idx, off, p, mode, pad, B, D);
                for (int lv = 0; lv < num_levels(); lv++) {
                    set_level(lv);
                    got[lv] = filled(B * D, NAN);
                    OK(e4j_embedding_bag_forward(got[lv], mode == 2 ? am[lv] : NULL, W, idx, E4J_INT64, off, p, mode,
                                                 pad, N, B, V, D));
                    char what[64];
                    snprintf(what, sizeof what, "bag mode %d psw %d D %lld level %d", mode, use_psw, (long long)D, lv);
                    close_enough(what, got[lv], want, B * D, 1e-6f, 1e-5f);
                    if (mode == 2) bits_equal("bag max argmax", am[lv], am_want, B * D * 8);
                    OK(e4j_embedding_bag_forward(got32, mode == 2 ? am[lv] : NULL, W, idx32, E4J_INT32, off, p, mode,
                                                 pad, N, B, V, D));
                    bits_equal("bag int32 == int64", got32, got[lv], B * D * 4);
                }
                for (int lv = 1; lv < num_levels(); lv++) {
                    bits_equal(lv == 1 ? "bag avx2 == scalar" : "bag avx512 == scalar", got[lv], got[0], B * D * 4);
                    if (mode == 2) bits_equal("bag argmax == scalar's", am[lv], am[0], B * D * 8);
                }
                for (int lv = 0; lv < num_levels(); lv++) free(got[lv]);
            }
        free(idx);
        free(idx32);
        free(W);
        free(psw);
        free(want);
        free(got32);
        free(am_want);
        for (int lv = 0; lv < MAX_LEVELS; lv++) free(am[lv]);
    }
    /* bad offsets / bad index leave out untouched */
    float W[8] = {0}, out[8], sentinel[8];
    int64_t idx[6] = {0, 1, 2, 3, 0, 1}, bad_off[6] = {0, 1, 3, 5, 2, 6};
    for (int i = 0; i < 8; i++) out[i] = sentinel[i] = 3.5f;
    expect_status("bag offsets order",
                  e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, bad_off, NULL, 0, -1, 6, 5, 4, 1),
                  E4J_ERR_INVALID_ARGUMENT, "offsets must be non-decreasing: offsets[3]=5 > offsets[4]=2");
    int64_t off_ok[3] = {0, 3, 6};
    idx[5] = 4;
    expect_status("bag index", e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, off_ok, NULL, 1, -1, 6, 2, 4, 1),
                  E4J_ERR_INDEX, "index 4 at position 5 is out of range [0, 4)");
    int64_t off_last[3] = {0, 3, 5};
    expect_status("bag last offset",
                  e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, off_last, NULL, 0, -1, 6, 2, 4, 1),
                  E4J_ERR_INVALID_ARGUMENT, "must equal N");
    expect_status("bag max without argmax",
                  e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, off_ok, NULL, 2, -1, 6, 2, 4, 1),
                  E4J_ERR_INVALID_ARGUMENT, "argmax");
    bits_equal("bag untouched", out, sentinel, sizeof out);
}

/* Bags longer than the prefetch distance, of very different lengths (0 .. 3*avg), on 1, 2 and 3 threads and
 * every level: bit-identical to level 0 on one thread (the split over positions never changes a result). */
static void test_bag_forward_long(void) {
    const int64_t Ds[] = {1, 16, 32, 33, 64, 100, 128, 256, 300}; /* 32..256: the unrolled instances */
    for (int s = 0; s < (int)(sizeof Ds / sizeof Ds[0]); s++) {
        const int64_t D = Ds[s], B = 97, V = 3000, pad = 11;
        int64_t off[98];
        off[0] = 0;
        for (int64_t b = 0; b < B; b++) off[b + 1] = off[b] + (b % 10 == 3 ? 0 : rnd_int(b % 7 == 0 ? 120 : 40));
        const int64_t N = off[B];
        int64_t *idx = malloc((size_t)N * 8);
        make_idx(idx, N, V, pad);
        float *W = rnd_floats(V * D), *psw = rnd_floats(N), *ref = filled(B * D, 0), *got = filled(B * D, 0);
        int64_t *am_ref = malloc((size_t)(B * D) * 8), *am = malloc((size_t)(B * D) * 8);
        for (int mode = 0; mode < 3; mode++)
            for (int use_psw = 0; use_psw < (mode == 0 ? 2 : 1); use_psw++) {
                const float *p = use_psw ? psw : NULL;
                set_level(0);
                e4j_set_num_threads(1);
                OK(e4j_embedding_bag_forward(ref, am_ref, W, idx, E4J_INT64, off, p, mode, pad, N, B, V, D));
                for (int lv = 0; lv < num_levels(); lv++)
                    for (int th = 1; th <= 3; th++) {
                        set_level(lv);
                        e4j_set_num_threads(th);
                        memset(got, 0xFF, (size_t)(B * D) * 4);
                        OK(e4j_embedding_bag_forward(got, am, W, idx, E4J_INT64, off, p, mode, pad, N, B, V, D));
                        char what[96];
                        snprintf(what, sizeof what, "long bags mode %d psw %d D %lld level %d threads %d", mode,
                                 use_psw, (long long)D, lv, th);
                        bits_equal(what, got, ref, B * D * 4);
                        if (mode == 2) bits_equal("long bags argmax", am, am_ref, B * D * 8);
                    }
            }
        e4j_set_num_threads(1);
        free(idx);
        free(W);
        free(psw);
        free(ref);
        free(got);
        free(am_ref);
        free(am);
    }
}

/* checks the sort's invariants against idx */
static void check_sort(const char *what, const int64_t *idx, int64_t N, int64_t pad, const int64_t *uniq,
                       const int64_t *seg, const int64_t *perm, int64_t U) {
    int64_t M = 0;
    for (int64_t j = 0; j < N; j++) M += idx[j] != pad;
    int ok = seg[0] == 0 && seg[U] == M;
    for (int64_t u = 0; ok && u < U; u++) {
        ok &= seg[u] < seg[u + 1] && (u == 0 || uniq[u] > uniq[u - 1]);
        for (int64_t k = seg[u]; ok && k < seg[u + 1]; k++)
            ok &= idx[perm[k]] == uniq[u] && (k == seg[u] || perm[k] > perm[k - 1]);
    }
    for (int64_t k = M; ok && k < N; k++) ok &= perm[k] == -1;
    expect_true(what, ok);
}

static int64_t sort_idx(const int64_t *idx, int64_t N, int64_t V, int64_t pad, int64_t *uniq, int64_t *seg,
                        int64_t *perm) {
    int64_t ws_bytes = e4j_index_sort_workspace_bytes(N, V), U = -1;
    int64_t *ws = malloc((size_t)ws_bytes + 8);
    OK(e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, pad, N, V, ws, ws_bytes));
    free(ws);
    return U;
}

static void test_index_sort(void) {
    const int64_t Ns[] = {1, 7, 200, 5000};
    for (int t = 0; t < 4; t++) {
        int64_t N = Ns[t], Vs = 50, pad = 7;
        int64_t *idx = malloc((size_t)N * 8), *u1 = malloc((size_t)N * 8), *s1 = malloc((size_t)(N + 1) * 8),
                *p1 = malloc((size_t)N * 8);
        int64_t *u2 = malloc((size_t)N * 8), *s2 = malloc((size_t)(N + 1) * 8), *p2 = malloc((size_t)N * 8);
        make_idx(idx, N, Vs, pad);
        int64_t U1 = sort_idx(idx, N, Vs, pad, u1, s1, p1);               /* counting sort */
        int64_t U2 = sort_idx(idx, N, (int64_t)1 << 40, pad, u2, s2, p2); /* radix sort, 4 passes */
        check_sort("index_sort counting", idx, N, pad, u1, s1, p1, U1);
        check_sort("index_sort radix", idx, N, pad, u2, s2, p2, U2);
        expect_true("counting == radix", U1 == U2 && !memcmp(u1, u2, (size_t)U1 * 8) &&
                                             !memcmp(s1, s2, (size_t)(U1 + 1) * 8) && !memcmp(p1, p2, (size_t)N * 8));
        free(idx);
        free(u1);
        free(s1);
        free(p1);
        free(u2);
        free(s2);
        free(p2);
    }
    int64_t idx[4] = {2, 0, 9, 2}, uniq[4], seg[5], perm[4], U = 0, ws[64];
    expect_status("sort range", e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, 4, 9, ws, sizeof ws),
                  E4J_ERR_INDEX, "index 9 at position 2 is out of range [0, 9)");
    expect_status("sort workspace", e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, 4, 10, ws, 8),
                  E4J_ERR_WORKSPACE, NULL);
    expect_status("sort padding", e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, 10, 4, 10, ws, sizeof ws),
                  E4J_ERR_INVALID_ARGUMENT, "padding_idx 10");
}

/* naive dense backward in double */
static void naive_backward(float *dW, const float *dout, const int64_t *idx, int64_t N, int64_t V, int64_t D,
                           int64_t pad, int freq) {
    double *acc = calloc((size_t)(V * D), sizeof(double));
    int64_t *cnt = calloc((size_t)V, 8);
    for (int64_t j = 0; j < N; j++)
        if (idx[j] != pad) cnt[idx[j]]++;
    for (int64_t j = 0; j < N; j++)
        if (idx[j] != pad)
            for (int64_t d = 0; d < D; d++) acc[idx[j] * D + d] += dout[j * D + d] / (freq ? (double)cnt[idx[j]] : 1.0);
    for (int64_t i = 0; i < V * D; i++) dW[i] = (float)(dW[i] + acc[i]);
    free(acc);
    free(cnt);
}

static void test_backward(void) {
    for (int s = 0; s < NSIZES + 1; s++) {
        int big = s == NSIZES; /* one case large enough to be split over threads */
        int64_t D = big ? 64 : SIZES[s], N = big ? 20000 : 60, V = big ? 500 : 20, pad = 5;
        int64_t *idx = malloc((size_t)N * 8), *uniq = malloc((size_t)N * 8), *seg = malloc((size_t)(N + 1) * 8),
                *perm = malloc((size_t)N * 8);
        make_idx(idx, N, V, pad);
        int64_t U = sort_idx(idx, N, V, pad, uniq, seg, perm);
        float *dout = rnd_floats(N * D), *base = rnd_floats(V * D);
        for (int freq = 0; freq < 2; freq++) {
            float *want = copy_floats(base, V * D), *ref = NULL;
            naive_backward(want, dout, idx, N, V, D, pad, freq);
            for (int lv = 0; lv < num_levels(); lv++) {
                set_level(lv);
                for (int th = 1; th <= 4; th *= 2) {
                    e4j_set_num_threads(th);
                    float *dW = copy_floats(base, V * D), *rows = filled(U * D, 0.5f);
                    OK(e4j_embedding_backward(dW, dout, uniq, seg, perm, freq, 0, U, N, D));
                    OK(e4j_embedding_backward(rows, dout, uniq, seg, perm, freq, 1, U, N, D));
                    char what[80];
                    snprintf(what, sizeof what, "backward D %lld freq %d level %d threads %d", (long long)D, freq, lv,
                             th);
                    /* big: rows 0 and V-1 collect a tenth of the 20000 positions each (make_idx), a float sum of
                     * thousands of terms of both signs against the double one */
                    const float atol = big ? 2e-4f : 1e-5f;
                    close_enough(what, dW, want, V * D, atol, 1e-5f);
                    for (int64_t u = 0; u < U; u++)
                        for (int64_t d = 0; d < D; d++) rows[u * D + d] += base[uniq[u] * D + d] - 0.5f;
                    for (int64_t u = 0; u < U; u++) memcpy(dW + uniq[u] * D, rows + u * D, (size_t)D * 4);
                    close_enough("compact backward", dW, want, V * D, atol, 1e-5f);
                    OK(e4j_embedding_backward(dW = memcpy(dW, base, (size_t)(V * D) * 4), dout, uniq, seg, perm, freq,
                                              0, U, N, D));
                    if (!ref)
                        ref = copy_floats(dW, V * D);
                    else
                        bits_equal("backward bit-identical across levels and threads", dW, ref, V * D * 4);
                    free(dW);
                    free(rows);
                }
                e4j_set_num_threads(1);
            }
            free(want);
            free(ref);
        }
        free(idx);
        free(uniq);
        free(seg);
        free(perm);
        free(dout);
        free(base);
    }
    int64_t uniq[2] = {1, 0}, seg[3] = {0, 1, 2}, perm[2] = {0, 1};
    float dW[4] = {1, 2, 3, 4}, dout[4] = {0};
    expect_status("backward uniq order", e4j_embedding_backward(dW, dout, uniq, seg, perm, 0, 0, 2, 2, 2),
                  E4J_ERR_INVALID_ARGUMENT, "strictly ascending");
    uniq[0] = 0;
    uniq[1] = 1;
    perm[1] = 2;
    expect_status("backward perm range", e4j_embedding_backward(dW, dout, uniq, seg, perm, 0, 0, 2, 2, 2),
                  E4J_ERR_INDEX, "perm[1]=2");
    expect_true("backward untouched", dW[0] == 1 && dW[3] == 4);
}

/* naive bag backward in double: dW (V,D) += sum_j g_j; dpsw[j] = dot(dout[b], W[idx[j]]) */
static void naive_bag_backward(float *dW, float *dpsw, const float *dout, const float *W, const int64_t *idx,
                               const int64_t *off, const float *psw, const int64_t *am, int mode, int64_t pad,
                               int64_t B, int64_t V, int64_t D) {
    double *acc = calloc((size_t)(V * D), sizeof(double));
    for (int64_t b = 0; b < B; b++) {
        int64_t cnt = 0;
        for (int64_t j = off[b]; j < off[b + 1]; j++) cnt += idx[j] != pad;
        for (int64_t j = off[b]; j < off[b + 1]; j++) {
            if (dpsw) {
                double s = 0;
                for (int64_t d = 0; d < D; d++) s += (double)dout[b * D + d] * W[idx[j] * D + d];
                dpsw[j] = idx[j] == pad ? 0.0f : (float)s;
            }
            if (idx[j] == pad) continue;
            for (int64_t d = 0; d < D; d++) {
                double g = dout[b * D + d];
                if (mode == E4J_BAG_SUM)
                    g *= psw ? psw[j] : 1.0f;
                else if (mode == E4J_BAG_MEAN)
                    g /= (double)cnt;
                else if (am[b * D + d] != j)
                    g = 0;
                acc[idx[j] * D + d] += g;
            }
        }
    }
    for (int64_t i = 0; i < V * D; i++) dW[i] = (float)(dW[i] + acc[i]);
    free(acc);
}

static void test_bag_backward(void) {
    for (int s = 0; s < NSIZES + 1; s++) {
        int big = s == NSIZES; /* more bags than the count table holds: the on-demand count path */
        int64_t D = big ? 8 : SIZES[s], B = big ? 20000 : 13, V = big ? 5000 : 17, pad = 3;
        int64_t *off = malloc((size_t)(B + 1) * 8);
        make_offsets(off, B, 6);
        int64_t N = off[B];
        int64_t *idx = malloc((size_t)N * 8 + 8), *uniq = malloc((size_t)N * 8 + 8), *seg = malloc((size_t)(N + 1) * 8),
                *perm = malloc((size_t)N * 8 + 8);
        int64_t *am = malloc((size_t)(B * D) * 8);
        make_idx(idx, N, V, pad);
        int64_t U = sort_idx(idx, N, V, pad, uniq, seg, perm);
        float *W = rnd_floats(V * D), *dout = rnd_floats(B * D), *psw = rnd_floats(N), *base = rnd_floats(V * D),
              *tmp = filled(B * D, 0);
        set_level(0);
        OK(e4j_embedding_bag_forward(tmp, am, W, idx, E4J_INT64, off, NULL, E4J_BAG_MAX, pad, N, B, V, D));
        for (int mode = 0; mode < 3; mode++)
            for (int use_psw = 0; use_psw < (mode == 0 ? 2 : 1); use_psw++) {
                const float *p = use_psw ? psw : NULL;
                float *want = copy_floats(base, V * D), *want_dpsw = filled(N, 0), *lv0 = NULL;
                naive_bag_backward(want, use_psw ? want_dpsw : NULL, dout, W, idx, off, p, am, mode, pad, B, V, D);
                for (int lv = 0; lv < num_levels(); lv++) {
                    set_level(lv);
                    float *dW = copy_floats(base, V * D), *dpsw = filled(N, NAN), *rows = filled(U * D, 0);
                    OK(e4j_embedding_bag_backward(dW, use_psw ? dpsw : NULL, dout, W, idx, E4J_INT64, off, p,
                                                  mode == 2 ? am : NULL, uniq, seg, perm, mode, 0, U, N, B, V, D));
                    char what[80];
                    snprintf(what, sizeof what, "bag backward mode %d psw %d D %lld level %d", mode, use_psw,
                             (long long)D, lv);
                    /* big: rows 0 and V-1 collect a tenth of the 20000 positions each (make_idx), a float sum of
                     * thousands of terms of both signs against the double one */
                    close_enough(what, dW, want, V * D, big ? 2e-4f : 1e-5f, 1e-5f);
                    /* dpsw: float dot products of D terms (~sqrt(D) roundings of the running sum) */
                    if (use_psw) close_enough("dpsw", dpsw, want_dpsw, N, 1e-5f * (1.0f + sqrtf((float)D)), 1e-5f);
                    OK(e4j_embedding_bag_backward(rows, NULL, dout, W, idx, E4J_INT64, off, p, mode == 2 ? am : NULL,
                                                  uniq, seg, perm, mode, 1, U, N, B, V, D));
                    float *dense = copy_floats(base, V * D);
                    for (int64_t u = 0; u < U; u++)
                        for (int64_t d = 0; d < D; d++) dense[uniq[u] * D + d] += rows[u * D + d];
                    bits_equal("bag backward compact == dense", dense, dW, V * D * 4);
                    if (!lv0)
                        lv0 = copy_floats(dW, V * D);
                    else
                        bits_equal("bag backward avx2 == scalar", dW, lv0, V * D * 4);
                    for (int th = 2; big && th <= 4; th *= 2) { /* 1 vs 2 vs 4 threads: identical bits */
                        e4j_set_num_threads(th);
                        float *dW2 = copy_floats(base, V * D), *out1 = filled(B * D, 0), *out2 = filled(B * D, 0);
                        OK(e4j_embedding_bag_backward(dW2, NULL, dout, W, idx, E4J_INT64, off, p, mode == 2 ? am : NULL,
                                                      uniq, seg, perm, mode, 0, U, N, B, V, D));
                        bits_equal("bag backward threads", dW2, dW, V * D * 4);
                        OK(e4j_embedding_bag_forward(out2, NULL, W, idx, E4J_INT64, off, p, mode == 2 ? 0 : mode, pad,
                                                     N, B, V, D));
                        e4j_set_num_threads(1);
                        OK(e4j_embedding_bag_forward(out1, NULL, W, idx, E4J_INT64, off, p, mode == 2 ? 0 : mode, pad,
                                                     N, B, V, D));
                        bits_equal("bag forward threads", out2, out1, B * D * 4);
                        free(dW2);
                        free(out1);
                        free(out2);
                    }
                    free(dW);
                    free(dpsw);
                    free(rows);
                    free(dense);
                }
                free(want);
                free(want_dpsw);
                free(lv0);
            }
        free(off);
        free(idx);
        free(uniq);
        free(seg);
        free(perm);
        free(am);
        free(W);
        free(dout);
        free(psw);
        free(base);
        free(tmp);
    }
}

int main(void) {
    test_init("test_embedding");
    test_gather();
    test_bag_forward();
    test_bag_forward_long();
    test_index_sort();
    test_backward();
    test_bag_backward();
    return test_finish("test_embedding");
}
