/* C conformance tests of e4j_softmax_xent's fast paths (xent_avx2.c), beyond test_dense.c's sweep:
 * the rows-in-lanes kernel (K = 2..16, batches that are not multiples of 8, ignored rows inside a
 * group of 8), the row kernel (K = 17 .. 32000), confident rows whose loss and target gradient are tiny
 * (must keep their relative digits: no cancellation), every reduction with weights, ignore_index and
 * label smoothing, against a double transcription of PyTorch's cross_entropy, at every level the CPU has;
 * results must be bit-identical across thread counts and in place vs out of place. */
#include "naive_xent.h"
#include "test_util.h"

/* every level and reduction on the logits x (B,K), weighted when cfg & 1, label smoothing 0.1 when cfg & 2 */
static void check_case(const float *x, int64_t B, int64_t K, int cfg, float spread) {
    int64_t ign = -100;
    float *w = cfg & 1 ? rnd_floats(K) : NULL;
    if (w)
        for (int64_t k = 0; k < K; k++) w[k] = fabsf(w[k]) + 0.1f;
    int64_t *t = malloc((size_t)B * 8);
    for (int64_t i = 0; i < B; i++) t[i] = i % 5 == 2 ? ign : rnd_int(K);
    double eps = cfg & 2 ? 0.1 : 0.0;
    for (int red = 0; red < 3; red++) {
        float *dxw = filled(B * K, 0), *lw = filled(B, 0);
        double want = naive_xent(red == 0 ? lw : NULL, dxw, x, t, w, ign, eps, red, B, K);
        for (int lv = 0; lv < num_levels(); lv++) {
            set_level(lv);
            char what[128];
            snprintf(what, sizeof what, "xent B %lld K %lld cfg %d spread %g reduction %d level %d", (long long)B,
                     (long long)K, cfg, spread, red, lv);
            float *loss = filled(B, 7), *dx = filled(B * K, 7), *loss2 = filled(B, 7), *dx2 = filled(B * K, 7);
            e4j_set_num_threads(1);
            OK(e4j_softmax_xent(loss, dx, x, t, w, ign, (float)eps, red, B, K));
            if (red == 0)
                close_enough(what, loss, lw, B, 1e-6f, 1e-5f);
            else {
                float wf = (float)want;
                close_enough(what, loss, &wf, 1, 1e-6f, 1e-5f);
            }
            close_enough(what, dx, dxw, B * K, 1e-7f, 1e-4f);
            e4j_set_num_threads(2);
            OK(e4j_softmax_xent(loss2, dx2, x, t, w, ign, (float)eps, red, B, K));
            bits_equal("xent 2 threads == 1 thread (loss)", loss2, loss, (red == 0 ? B : 1) * 4);
            bits_equal("xent 2 threads == 1 thread (dlogits)", dx2, dx, B * K * 4);
            float *inplace = copy_floats(x, B * K);
            OK(e4j_softmax_xent(loss2, inplace, inplace, t, w, ign, (float)eps, red, B, K));
            bits_equal("xent in place == out of place", inplace, dx, B * K * 4);
            bits_equal("xent in place == out of place (loss)", loss2, loss, (red == 0 ? B : 1) * 4);
            OK(e4j_softmax_xent(loss2, NULL, x, t, w, ign, (float)eps, red, B, K));
            bits_equal("xent loss only == with gradient", loss2, loss, (red == 0 ? B : 1) * 4);
            e4j_set_num_threads(1);
            free(loss);
            free(dx);
            free(loss2);
            free(dx2);
            free(inplace);
        }
        free(dxw);
        free(lw);
    }
    free(w);
    free(t);
}

static void run_case(int64_t B, int64_t K, int cfg, float spread) {
    float *x = rnd_floats(B * K);
    for (int64_t i = 0; i < B * K; i++) x[i] *= spread;
    check_case(x, B, K, cfg, spread);
    free(x);
}

/* Rows whose maximum lies far above their first columns (the one-read row kernels raise their reference R, rescaling
 * what they stored): ascending ramps of slope `slope` per column, and noise with one spike of +spike late in the row */
static void run_rising_rows(int64_t B, int64_t K, float slope, float spike) {
    float *x = rnd_floats(B * K);
    for (int64_t i = 0; i < B; i++)
        for (int64_t j = 0; j < K; j++) x[i * K + j] = i % 2 ? x[i * K + j] + slope * (float)j : x[i * K + j] * 2.0f;
    for (int64_t i = 0; i < B; i += 2) x[i * K + K - 1 - i % K] += spike;
    for (int cfg = 0; cfg < 4; cfg++) check_case(x, B, K, cfg, slope);
    free(x);
}

int main(void) {
    test_init("test_xent");
    static const int64_t Ks[] = {2, 3, 5, 8, 10, 16, 17, 24, 33, 1000};
    static const int64_t Bs[] = {1, 7, 8, 9, 37, 130};
    for (size_t k = 0; k < sizeof Ks / sizeof Ks[0]; k++)
        for (size_t b = 0; b < sizeof Bs / sizeof Bs[0]; b++)
            for (int cfg = 0; cfg < 4; cfg++) run_case(Bs[b], Ks[k], cfg, 8.0f);
    /* confident rows: losses ~1e-9 .. 1e-30 and target gradients of the same size must keep their digits */
    run_case(37, 2, 0, 60.0f);
    run_case(37, 10, 1, 40.0f);
    run_case(9, 100, 0, 40.0f);
    /* many row blocks (K <= 16 blocks are whole groups of 16 rows, >= 4 KiB): 2 threads split them, the last block
     * ends in a partial group */
    for (int cfg = 0; cfg < 4; cfg++) {
        run_case(1300, 2, cfg, 8.0f);
        run_case(1037, 10, cfg, 8.0f);
        run_case(777, 16, cfg, 8.0f);
    }
    /* a vocabulary head */
    run_case(3, 32000, 3, 8.0f);
    run_rising_rows(9, 17, 3.0f, 40.0f);
    run_rising_rows(9, 33, 1.5f, 25.0f);
    run_rising_rows(6, 1000, 0.1f, 60.0f);
    run_rising_rows(3, 4099, 0.02f, 80.0f);
    /* the NaN pre-check still names the position */
    float x[20] = {0};
    int64_t t[2] = {0, 1};
    float loss = 3, dx[20];
    set_level(num_levels() - 1);
    x[17] = INFINITY;
    expect_status("xent Inf found", e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0, E4J_REDUCE_SUM, 2, 10),
                  E4J_ERR_INVALID_ARGUMENT, "(row, col) = (1, 7)");
    expect_true("xent loss untouched", loss == 3);
    /* a bad target is found (and named) inside the vectorised check, in its tail, and at every level */
    {
        enum { TB = 75 };
        float *xs = filled(TB * 2, 0), *gs = filled(TB * 2, 5), ls = 3;
        int64_t ts[TB];
        for (int64_t i = 0; i < TB; i++) ts[i] = i % 3 == 0 ? -100 : i % 2;
        static const int64_t bad_rows[] = {0, 40, 63, 64, 74};
        for (int lv = 0; lv < num_levels(); lv++) {
            set_level(lv);
            for (size_t r = 0; r < sizeof bad_rows / sizeof bad_rows[0]; r++) {
                const int64_t row = bad_rows[r], keep = ts[row];
                ts[row] = r % 2 ? 2 : -1;
                char want[64];
                snprintf(want, sizeof want, "target %lld at row %lld", (long long)ts[row], (long long)row);
                expect_status("xent bad target",
                              e4j_softmax_xent(&ls, gs, xs, ts, NULL, -100, 0, E4J_REDUCE_MEAN, TB, 2), E4J_ERR_INDEX,
                              want);
                ts[row] = keep;
            }
            expect_true("xent bad target: loss untouched", ls == 3);
            expect_true("xent bad target: dlogits untouched", gs[0] == 5 && gs[2 * TB - 1] == 5);
            /* 25 of the 75 rows are ignored: the mean is over the other 50 (every loss is log 2 at equal logits) */
            OK(e4j_softmax_xent(&ls, gs, xs, ts, NULL, -100, 0, E4J_REDUCE_MEAN, TB, 2));
            expect_true("xent mean over the counted rows", fabsf(ls - 0.69314718f) < 1e-6f);
            expect_true("xent mean gradient 1/50 per counted row", fabsf(gs[2] - 0.5f / 50) < 1e-8f);
            ls = 3;
            for (int64_t j = 0; j < 2 * TB; j++) gs[j] = 5;
        }
        free(xs);
        free(gs);
    }
    return test_finish("test_xent");
}
