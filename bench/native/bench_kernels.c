/* bench_kernels: wall time of the embedding hot paths on a 1M x 128 table with 100k random indices
 * (not a test; built into <build>/bench by native/CMakeLists.txt, run by hand):  bench_kernels [threads] [isa_level]
 * Prints one line per kernel: the fastest and the median of 11 runs in milliseconds, and the calling thread's
 * CPU time (with 1 thread it excludes time the shared machine spent elsewhere; min is the stable statistic). Results are checked by the tests,
 * not here. The libtorch comparison on the same memory is torch_anchor/run.sh (see native/README.md). */
#include "embed4j.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define V 1000000
#define D 128
#define N 100000
#define BAG 20
#define REPS 11

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* CPU time of the calling thread: with one thread it excludes the time the (shared) machine ran others */
static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* 64-byte aligned like embed4j's Tensors (plain malloc's 16-byte offset splits every other row load) */
static void *alloc64(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (p) memset(p, 0, bytes);
    return p;
}

static uint64_t s = 88172645463325252ull;
static uint64_t rnd(void) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

#define TIME(name, stmt)                                                                                          \
    do {                                                                                                          \
        double t_[REPS], c_[REPS];                                                                                \
        for (int r_ = 0; r_ < REPS; r_++) {                                                                       \
            double t0_ = now_ms(), c0_ = cpu_ms();                                                                \
            if ((stmt) != E4J_OK) {                                                                               \
                printf("%s failed: %s\n", name, e4j_last_error());                                                \
                return 1;                                                                                         \
            }                                                                                                     \
            t_[r_] = now_ms() - t0_;                                                                              \
            c_[r_] = cpu_ms() - c0_;                                                                              \
        }                                                                                                         \
        qsort(t_, REPS, sizeof(double), cmp_double);                                                              \
        qsort(c_, REPS, sizeof(double), cmp_double);                                                              \
        printf("%-36s %8.3f ms (median %8.3f, caller-thread cpu min %8.3f)\n", name, t_[0], t_[REPS / 2], c_[0]); \
    } while (0)

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, level = argc > 2 ? atoi(argv[2]) : e4j_isa_level();
    if (e4j_set_num_threads(threads) || e4j_set_isa_level(level)) {
        printf("%s\n", e4j_last_error());
        return 1;
    }
    printf("V=%d D=%d N=%d bag=%d threads=%d isa_level=%d\n", V, D, N, BAG, threads, level);
    float *W = alloc64((size_t)V * D * 4), *dW = alloc64((size_t)V * D * 4), *out = alloc64((size_t)N * D * 4);
    float *dout = alloc64((size_t)N * D * 4), *state = alloc64(V * 4), *rows = alloc64((size_t)N * D * 4);
    int64_t *idx = alloc64(N * 8), *uniq = alloc64(N * 8), *seg = alloc64((N + 1) * 8), *perm = alloc64(N * 8), U = 0;
    int64_t B = N / BAG, *off = alloc64((B + 1) * 8);
    for (int64_t i = 0; i < (int64_t)V * D; i++) W[i] = (float)(rnd() % 1000) / 1000.0f - 0.5f;
    for (int64_t i = 0; i < (int64_t)N * D; i++) dout[i] = (float)(rnd() % 1000) / 1000.0f - 0.5f;
    for (int64_t j = 0; j < N; j++) idx[j] = (int64_t)(rnd() % V);
    for (int64_t b = 0; b <= B; b++) off[b] = b * BAG;
    int64_t wsb = e4j_index_sort_workspace_bytes(N, V);
    void *ws = alloc64((size_t)wsb);
    e4j_optim sgd = {0}, rw = {0};
    sgd.kind = E4J_OPT_SGD;
    sgd.lr = 0.01f;
    rw.kind = E4J_OPT_ROWWISE_ADAGRAD;
    rw.lr = 0.01f;
    rw.eps = 1e-8f;

    TIME("gather_forward", e4j_gather_forward(out, W, idx, E4J_INT64, N, V, D));
    TIME("embedding_bag_forward sum",
         e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, off, NULL, E4J_BAG_SUM, -1, N, B, V, D));
    TIME("embedding_bag_forward mean",
         e4j_embedding_bag_forward(out, NULL, W, idx, E4J_INT64, off, NULL, E4J_BAG_MEAN, -1, N, B, V, D));
    TIME("index_sort", e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, N, V, ws, wsb));
    TIME("embedding_backward dense (no sort)", e4j_embedding_backward(dW, dout, uniq, seg, perm, 0, 0, U, N, D));
    TIME("sort + backward compact (U,D)", (e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, N, V, ws, wsb) ||
                                           e4j_embedding_backward(rows, dout, uniq, seg, perm, 0, 1, U, N, D)));
    TIME("sort + fused update SGD",
         (e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, N, V, ws, wsb) ||
          e4j_embedding_backward_update(W, NULL, NULL, dout, uniq, seg, perm, 0, &sgd, U, N, V, D)));
    TIME("sort + fused update rowwise adagrad",
         (e4j_index_sort(uniq, seg, perm, &U, idx, E4J_INT64, -1, N, V, ws, wsb) ||
          e4j_embedding_backward_update(W, state, NULL, dout, uniq, seg, perm, 0, &rw, U, N, V, D)));
    printf("unique rows U=%lld\n", (long long)U);
    return 0;
}
