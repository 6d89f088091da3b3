/* bench_xent_ab: two builds of libembed4j.so side by side on one e4j_softmax_xent shape (mean reduction, loss and
 * dlogits), in one process, the calls alternating between the two libraries so that a shared machine's load falls on
 * both alike (not a test; built into <build>/bench by native/CMakeLists.txt, run by hand):
 *   bench_xent_ab <libA.so> <libB.so> <B> <K> [threads] [isa_level] [rounds]
 * Each library is loaded on its own (dlopen, RTLD_LOCAL), set to the thread count and kernel level, and timed over
 * rounds x 5 calls on the same logits (uniform in [-4, 4), as XentBenchmark) and targets. Prints the fastest call of
 * each in microseconds, its effective GB/s = 2*B*K*4 / time, the time ratio A/B (> 1: B is faster) and both losses. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CALLS 5

typedef int32_t (*xent_fn)(float *, float *, const float *, const int64_t *, const float *, int64_t, float, int32_t,
                           int64_t, int64_t);
typedef int32_t (*set_fn)(int32_t);

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* the library's e4j_softmax_xent, set to threads and level; NULL (after a message) when it cannot be */
static xent_fn load(const char *path, int threads, int level) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "bench_xent_ab: %s\n", dlerror());
        return NULL;
    }
    xent_fn f = (xent_fn)dlsym(h, "e4j_softmax_xent");
    set_fn set_threads = (set_fn)dlsym(h, "e4j_set_num_threads"), set_level = (set_fn)dlsym(h, "e4j_set_isa_level");
    if (!f || !set_threads || !set_level || set_threads(threads) != 0 || set_level(level) != 0) {
        fprintf(stderr, "bench_xent_ab: %s lacks e4j_softmax_xent or refuses %d threads / level %d\n", path, threads,
                level);
        return NULL;
    }
    return f;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench_xent_ab <libA.so> <libB.so> <B> <K> [threads] [isa_level] [rounds]\n");
        return 2;
    }
    const int64_t B = atoll(argv[3]), K = atoll(argv[4]);
    const int threads = argc > 5 ? atoi(argv[5]) : 1, level = argc > 6 ? atoi(argv[6]) : 2;
    const int rounds = argc > 7 ? atoi(argv[7]) : 20;
    if (B < 1 || K < 1) {
        fprintf(stderr, "bench_xent_ab: B and K must be >= 1\n");
        return 2;
    }
    xent_fn f[2] = {load(argv[1], threads, level), load(argv[2], threads, level)};
    if (!f[0] || !f[1]) return 2;
    float *x = aligned_alloc(64, (size_t)(B * K) * sizeof(float)), *dx = aligned_alloc(64, (size_t)(B * K) * 4);
    int64_t *t = malloc((size_t)B * sizeof(int64_t));
    uint64_t r = 11;
    for (int64_t i = 0; i < B * K; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)(r >> 40) / (float)(1 << 24) * 8.0f - 4.0f;
    }
    for (int64_t i = 0; i < B; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        t[i] = (int64_t)((r >> 33) % (uint64_t)K);
    }
    double best[2] = {1e30, 1e30};
    float loss[2];
    for (int q = 0; q < rounds; q++)
        for (int lib = 0; lib < 2; lib++)
            for (int c = 0; c < CALLS; c++) {
                const double a = now_s();
                if (f[lib](&loss[lib], dx, x, t, NULL, -100, 0.0f, 1 /* mean */, B, K) != 0) {
                    fprintf(stderr, "bench_xent_ab: library %s failed\n", argv[1 + lib]);
                    return 1;
                }
                const double d = now_s() - a;
                if (d < best[lib]) best[lib] = d;
            }
    const double bytes = 2.0 * (double)(B * K) * 4;
    printf("b%lld_k%lld threads=%d level=%d  A %.1f us %.2f GB/s  B %.1f us %.2f GB/s  A/B %.3f  loss %.7g %.7g\n",
           (long long)B, (long long)K, threads, level, best[0] * 1e6, bytes / best[0] / 1e9, best[1] * 1e6,
           bytes / best[1] / 1e9, best[0] / best[1], (double)loss[0], (double)loss[1]);
    free(x);
    free(dx);
    free(t);
    return 0;
}
