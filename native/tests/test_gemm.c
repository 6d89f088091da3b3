/* test_gemm.c — conformance of e4j_gemm (every kernel level the CPU has, 1 and 2 threads) against a double-precision
 * reference computed here, on awkward sizes (vector tails, block edges), all four transpose cases, padded
 * leading dimensions, several alpha/beta (beta = 0 with NaN-poisoned C), plus argument errors. The shapes
 * also reach the thin-shape kernels (N <= 4 with A·Bᵀ, M <= 4, K <= 8) and the in-place (unpacked) paths.
 * Pass: ||C - ref|| / ||ref|| <= 1e-6 * (4 + sqrt(K)) (float rounding of random data), padding of C untouched,
 * results bit-identical for 1 and 2 threads and between the AVX2 and AVX-512 levels, also when two callers run
 * 2-thread products at the same time
 * (one gets the worker pool, the other the fallback). A failure prints the case and the worst element by position.
 * Exit status 0 = pass (ctest).
 */
#include "embed4j.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static float frand(void) { /* uniform in [-1, 1) */
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

static float *fill(int64_t n) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

/* ref = alpha·op(A)·op(B) + beta·C0 in double (beta == 0: C0 ignored). */
static void reference(double *ref, int ta, int tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                      int64_t lda, const float *B, int64_t ldb, float beta, const float *C0, int64_t ldc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++)
                s += (double)(ta ? A[k * lda + i] : A[i * lda + k]) * (double)(tb ? B[j * ldb + k] : B[k * ldb + j]);
            ref[i * N + j] = alpha * s + (beta != 0.0f ? (double)beta * C0[i * ldc + j] : 0.0);
        }
}

/* Runs one case at the current level / thread count; returns C (caller frees) or NULL on failure. */
static float *run_case(const char *what, int ta, int tb, int64_t M, int64_t N, int64_t K, float alpha, float beta,
                       int64_t pad, const float *A, int64_t lda, const float *B, int64_t ldb, const float *C0,
                       const double *ref) {
    int64_t ldc = N + pad;
    float *C = malloc((size_t)(M * ldc > 0 ? M * ldc : 1) * sizeof(float));
    memcpy(C, C0, (size_t)(M * ldc) * sizeof(float));
    int32_t st = e4j_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    char tag[200];
    snprintf(tag, sizeof tag, "%s ta=%d tb=%d M=%lld N=%lld K=%lld alpha=%g beta=%g pad=%lld", what, ta, tb,
             (long long)M, (long long)N, (long long)K, alpha, beta, (long long)pad);
    if (st != E4J_OK) {
        printf("FAIL %s: status %d (%s)\n", tag, st, e4j_last_error());
        failures++;
        free(C);
        return NULL;
    }
    double err2 = 0, ref2 = 0, worst = -1;
    int64_t wi = 0, wj = 0;
    int pad_ok = 1;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double d = (double)C[i * ldc + j] - ref[i * N + j];
            if (isnan(d)) d = INFINITY;
            err2 += d * d;
            ref2 += ref[i * N + j] * ref[i * N + j];
            if (fabs(d) > worst) worst = fabs(d), wi = i, wj = j;
        }
        for (int64_t j = N; j < ldc; j++)
            if (memcmp(&C[i * ldc + j], &C0[i * ldc + j], sizeof(float)) != 0) pad_ok = 0;
    }
    double rel = sqrt(err2) / (sqrt(ref2) + 1e-30);
    double tol = 1e-6 * (4.0 + sqrt((double)K)); /* float rounding grows ~sqrt(K) for random data */
    if (!(rel <= tol) || !pad_ok) {
        printf("FAIL %s: rel err %.3g (tol %.3g), padding %s; worst C[%lld,%lld] = %.9g, ref %.9g\n", tag, rel, tol,
               pad_ok ? "ok" : "MODIFIED", (long long)wi, (long long)wj, C[wi * ldc + wj], ref[wi * N + wj]);
        failures++;
        free(C);
        return NULL;
    }
    return C;
}

/* One shape: every transpose case and alpha/beta set; levels >= 1 with 1 and 2 threads must agree bitwise. */
static void check_shape(int64_t M, int64_t N, int64_t K, int64_t pad, int levels) {
    static const float ab[][2] = {{1.0f, 0.0f}, {-0.5f, 1.0f}, {2.0f, -0.75f}};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            int64_t lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
            float *A = fill((ta ? K : M) * lda), *B = fill((tb ? N : K) * ldb), *C0 = fill(M * ldc);
            double *ref = malloc((size_t)(M * N > 0 ? M * N : 1) * sizeof(double));
            for (size_t s = 0; s < sizeof ab / sizeof ab[0]; s++) {
                float alpha = ab[s][0], beta = ab[s][1];
                if (beta == 0.0f) /* C must be write-only: NaN everywhere but the padding */
                    for (int64_t i = 0; i < M; i++)
                        for (int64_t j = 0; j < N; j++) C0[i * ldc + j] = NAN;
                reference(ref, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc);
                float *c_avx512 = NULL; /* level 2's result: level 1 must equal it bit for bit */
                for (int level = 2; level >= 0; level--) {
                    if (!(levels & (1 << level))) continue;
                    static const char *const t1[] = {"ref", "avx2 t1", "avx512 t1"}, *const t2[] = {"", "avx2 t2",
                                                                                                    "avx512 t2"};
                    e4j_set_isa_level(level);
                    e4j_set_num_threads(1);
                    float *c1 = run_case(t1[level], ta, tb, M, N, K, alpha, beta, pad, A, lda, B, ldb, C0, ref);
                    if (level >= 1) {
                        e4j_set_num_threads(2);
                        float *c2 = run_case(t2[level], ta, tb, M, N, K, alpha, beta, pad, A, lda, B, ldb, C0, ref);
                        if (c1 && c2 && memcmp(c1, c2, (size_t)(M * ldc) * sizeof(float)) != 0) {
                            printf("FAIL ta=%d tb=%d M=%lld N=%lld K=%lld: 1 and 2 threads differ\n", ta, tb,
                                   (long long)M, (long long)N, (long long)K);
                            failures++;
                        }
                        free(c2);
                    }
                    if (level == 1 && c1 && c_avx512 && memcmp(c1, c_avx512, (size_t)(M * ldc) * sizeof(float)) != 0) {
                        printf("FAIL ta=%d tb=%d M=%lld N=%lld K=%lld: avx512 and avx2 levels differ\n", ta, tb,
                               (long long)M, (long long)N, (long long)K);
                        failures++;
                    }
                    if (level == 2)
                        c_avx512 = c1;
                    else
                        free(c1);
                }
                free(c_avx512);
                if (beta == 0.0f)
                    for (int64_t i = 0; i < M * ldc; i++) C0[i] = frand();
            }
            free(A), free(B), free(C0), free(ref);
        }
}

static void expect_status(const char *what, int32_t got, int32_t want) {
    if (got != want) {
        printf("FAIL %s: status %d, expected %d (%s)\n", what, got, want, e4j_last_error());
        failures++;
    }
}

static void check_errors_and_trivial(void) {
    float A[16] = {0}, B[16] = {0}, C[16];
    for (int i = 0; i < 16; i++) C[i] = 3.0f;
    expect_status("trans_a=2", e4j_gemm(2, 0, 2, 2, 2, 1, A, 2, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("M<0", e4j_gemm(0, 0, -1, 2, 2, 1, A, 2, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("lda<K", e4j_gemm(0, 0, 2, 2, 3, 1, A, 2, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("lda<M (trans)", e4j_gemm(1, 0, 3, 2, 2, 1, A, 2, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("ldb<K (trans)", e4j_gemm(0, 1, 2, 2, 3, 1, A, 3, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("ldc<N", e4j_gemm(0, 0, 2, 3, 2, 1, A, 2, B, 3, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    expect_status("A NULL", e4j_gemm(0, 0, 2, 2, 2, 1, NULL, 2, B, 2, 0, C, 2), E4J_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < 16; i++)
        if (C[i] != 3.0f) {
            printf("FAIL: a rejected call modified C\n");
            failures++;
            break;
        }
    expect_status("M=0", e4j_gemm(0, 0, 0, 2, 2, 1, NULL, 2, NULL, 2, 0, NULL, 2), E4J_OK);
    expect_status("K=0 beta=0.5", e4j_gemm(0, 0, 2, 2, 0, 1, NULL, 1, NULL, 2, 0.5f, C, 2), E4J_OK);
    if (C[0] != 1.5f || C[3] != 1.5f || C[4] != 3.0f) {
        printf("FAIL: K=0 must give C = beta*C\n");
        failures++;
    }
    C[0] = NAN;
    expect_status("alpha=0 beta=0", e4j_gemm(0, 0, 2, 2, 2, 0, A, 2, B, 2, 0, C, 2), E4J_OK);
    if (C[0] != 0.0f || C[1] != 0.0f) {
        printf("FAIL: alpha=0, beta=0 must write zeros\n");
        failures++;
    }
}

/* One +Inf in B and positive A: C's column j0 must be +Inf in every row (no 0·Inf = NaN from padding or
 * duplicated rows in any path), every other element finite. */
static void check_inf_propagation(void) {
    static const int64_t shapes[][3] = {{2, 17, 5},   {1, 30, 9},  {100, 3, 13}, {9, 20, 3},
                                        {50, 40, 30}, {5, 40, 30}, {3, 50, 7}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], j0 = N / 2, k0 = K - 1;
                float *A = malloc((size_t)(M * K) * sizeof(float)), *B = malloc((size_t)(K * N) * sizeof(float));
                float *C = malloc((size_t)(M * N) * sizeof(float));
                for (int64_t i = 0; i < M * K; i++) A[i] = 1.0f;
                for (int64_t i = 0; i < K * N; i++) B[i] = 0.5f + 0.5f * frand();
                B[tb ? j0 * K + k0 : k0 * N + j0] = INFINITY;
                int32_t st = e4j_gemm(ta, tb, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N, 0.0f, C, N);
                int bad = st != E4J_OK;
                for (int64_t i = 0; i < M && !bad; i++)
                    for (int64_t j = 0; j < N; j++)
                        if (j == j0 ? !(isinf(C[i * N + j]) && C[i * N + j] > 0) : !isfinite(C[i * N + j])) {
                            printf("FAIL inf ta=%d tb=%d M=%lld N=%lld K=%lld: C[%lld,%lld] = %g\n", ta, tb,
                                   (long long)M, (long long)N, (long long)K, (long long)i, (long long)j, C[i * N + j]);
                            bad = 1;
                            break;
                        }
                failures += bad;
                free(A), free(B), free(C);
            }
}

/* Two callers at once, each with e4j_threads = 2: results must equal a single-caller run bit for bit. */
typedef struct concurrent_arg {
    const float *A, *B;
    const float *expect;
    int64_t S;
    int mismatches;
} concurrent_arg;

static void *concurrent_caller(void *p) {
    concurrent_arg *a = p;
    float *C = malloc((size_t)(a->S * a->S) * sizeof(float));
    for (int rep = 0; rep < 20; rep++) {
        if (e4j_gemm(0, 1, a->S, a->S, a->S, 1.0f, a->A, a->S, a->B, a->S, 0.0f, C, a->S) != E4J_OK ||
            memcmp(C, a->expect, (size_t)(a->S * a->S) * sizeof(float)) != 0)
            a->mismatches++;
    }
    free(C);
    return NULL;
}

static void check_concurrent_callers(void) {
    const int64_t S = 160; /* 8 MFLOP: above the threshold that turns on threads */
    float *A = fill(S * S), *B = fill(S * S), *expect = malloc((size_t)(S * S) * sizeof(float));
    e4j_set_num_threads(1);
    e4j_gemm(0, 1, S, S, S, 1.0f, A, S, B, S, 0.0f, expect, S);
    e4j_set_num_threads(2);
    concurrent_arg args[2] = {{A, B, expect, S, 0}, {A, B, expect, S, 0}};
    pthread_t t[2];
    int started[2];
    for (int i = 0; i < 2; i++) started[i] = pthread_create(&t[i], NULL, concurrent_caller, &args[i]) == 0;
    for (int i = 0; i < 2; i++) {
        if (started[i])
            pthread_join(t[i], NULL);
        else
            concurrent_caller(&args[i]);
        if (args[i].mismatches) {
            printf("FAIL concurrent caller %d: %d of 20 products differ from the 1-thread result\n", i,
                   args[i].mismatches);
            failures++;
        }
    }
    free(A), free(B), free(expect);
}

int main(void) {
    int levels = 1; /* bit l: level l runs here (0 reference, 1 avx2, 2 avx512) */
    for (int level = 1; level <= 2; level++)
        if (e4j_set_isa_level(level) == E4J_OK) levels |= 1 << level;
    printf("test_gemm: levels tested (bitmask): %d\n", levels);
    check_errors_and_trivial();
    static const int64_t small[] = {1, 7, 8, 9, 15, 16, 17, 31, 33};
    const int ns = sizeof small / sizeof small[0];
    for (int a = 0; a < ns; a++)
        for (int b = 0; b < ns; b++)
            for (int c = 0; c < ns; c++)
                check_shape(small[a], small[b], small[c], (a + b + c) % 3 == 0 ? 3 : 0, levels);
    /* larger: 100/257, and block edges (MC_MAX=144, KC_MAX=384, NC_MAX=1024 in gemm_avx2.c) */
    static const int64_t big[][3] = {{100, 100, 100}, {257, 33, 100},  {33, 257, 257}, {100, 257, 9},   {257, 257, 17},
                                     {145, 40, 385},  {289, 17, 70},   {6, 1025, 20},  {512, 2, 300},   {2, 300, 512},
                                     {7, 1041, 769},  {300, 200, 150}, {100, 700, 64}, {1000, 20, 300}, {100, 3, 257},
                                     {9, 4, 33},      {257, 2, 1000},  {3, 100, 257},  {4, 97, 33},     {2, 1100, 40},
                                     {1, 2100, 9}};
    for (size_t s = 0; s < sizeof big / sizeof big[0]; s++) check_shape(big[s][0], big[s][1], big[s][2], 5, levels);
    for (int level = 0; level <= 2; level++) {
        if (!(levels & (1 << level))) continue;
        e4j_set_isa_level(level);
        check_inf_propagation();
        if (level >= 1) check_concurrent_callers();
    }
    e4j_set_num_threads(1);
    if (failures) {
        printf("test_gemm: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_gemm: all passed\n");
    return 0;
}
