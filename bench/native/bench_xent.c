/* bench_xent: wall time of e4j_softmax_xent (mean reduction, loss and dlogits) on the shapes of bench/suites/xent.sh,
 * each kernel level the CPU runs from 1 up, the levels alternating within one process so that a shared machine's
 * load falls on all of them alike (not a test; built into <build>/bench by native/CMakeLists.txt, run by hand):
 *   bench_xent [threads] [rounds]
 * Prints one line per shape: per level the fastest call in microseconds (rounds x 5 calls per level; the minimum is
 * the statistic that load disturbs least), its effective GB/s = 2*B*K*4 / time (read the logits, write dlogits, as
 * the suite counts), and the speed of the highest level over level 1. Results are checked by the tests, not here. */
#include "embed4j.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CALLS 5

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 1, rounds = argc > 2 ? atoi(argv[2]) : 10;
    static const int64_t shapes[][2] = {{65536, 2}, {65536, 10}, {4096, 1000}, {256, 32000}};
    int top = 0;
    while (top < 2 && e4j_set_isa_level(top + 1) == E4J_OK) top++;
    if (top < 1 || e4j_set_num_threads(threads) != E4J_OK) {
        fprintf(stderr, "bench_xent: needs AVX2 (level 1) and 1..1024 threads: %s\n", e4j_last_error());
        return 2;
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t B = shapes[s][0], K = shapes[s][1];
        float *x = aligned_alloc(64, (size_t)(B * K) * sizeof(float)), *dx = aligned_alloc(64, (size_t)(B * K) * 4);
        int64_t *t = malloc((size_t)B * sizeof(int64_t));
        uint64_t r = 11;
        for (int64_t i = 0; i < B * K; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            x[i] = (float)(r >> 40) / (float)(1 << 24) * 8.0f - 4.0f; /* uniform in [-4, 4), as XentBenchmark */
        }
        for (int64_t i = 0; i < B; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            t[i] = (int64_t)((r >> 33) % (uint64_t)K);
        }
        double best[3] = {1e30, 1e30, 1e30};
        float loss;
        for (int q = 0; q < rounds; q++)
            for (int lv = 1; lv <= top; lv++) {
                e4j_set_isa_level(lv);
                for (int c = 0; c < CALLS; c++) {
                    const double a = now_s();
                    if (e4j_softmax_xent(&loss, dx, x, t, NULL, -100, 0.0f, E4J_REDUCE_MEAN, B, K) != E4J_OK) {
                        fprintf(stderr, "bench_xent: %s\n", e4j_last_error());
                        return 1;
                    }
                    const double d = now_s() - a;
                    if (d < best[lv]) best[lv] = d;
                }
            }
        printf("b%lld_k%lld threads=%d", (long long)B, (long long)K, threads);
        for (int lv = 1; lv <= top; lv++)
            printf("  level%d %.1f us %.2f GB/s", lv, best[lv] * 1e6, 2.0 * (double)(B * K) * 4 / best[lv] / 1e9);
        if (top == 2) printf("  level2/level1 %.2f", best[1] / best[2]);
        printf("\n");
        free(x);
        free(dx);
        free(t);
    }
    return 0;
}
