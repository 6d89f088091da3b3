/* e4j_parallel_for: a minimal fork-join helper (no persistent pool).
 * [0, n) is cut into at most e4j_threads contiguous parts of at least `grain` items each;
 * parts 1.. run on fresh pthreads, part 0 on the caller's thread, then all are joined.
 * Thread creation costs ~10-30 us, so callers pick a grain that keeps small calls inline.
 * Safety: never aborts; if pthread_create fails the part runs inline on the caller's thread.
 * Thread-safe: no shared state besides reading e4j_threads. */
#include "internal.h"

#include <pthread.h>

#define E4J_MAX_PARTS 256

typedef struct part {
    e4j_range_fn fn;
    void *ctx;
    int64_t begin, end;
} part;

static void *run_part(void *arg) {
    part *p = (part *)arg;
    p->fn(p->ctx, p->begin, p->end);
    return NULL;
}

void e4j_parallel_for(int64_t n, int64_t grain, e4j_range_fn fn, void *ctx) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t nt = e4j_threads;
    if (nt > E4J_MAX_PARTS) nt = E4J_MAX_PARTS;
    int64_t max_parts = (n + grain - 1) / grain;
    if (nt > max_parts) nt = max_parts;
    if (nt <= 1) {
        fn(ctx, 0, n);
        return;
    }
    part parts[E4J_MAX_PARTS];
    pthread_t tids[E4J_MAX_PARTS];
    int started[E4J_MAX_PARTS];
    int64_t base = n / nt, rem = n % nt, at = 0;
    for (int64_t t = 0; t < nt; t++) {
        int64_t len = base + (t < rem ? 1 : 0);
        parts[t] = (part){fn, ctx, at, at + len};
        at += len;
    }
    for (int64_t t = 1; t < nt; t++) {
        started[t] = pthread_create(&tids[t], NULL, run_part, &parts[t]) == 0;
        if (!started[t]) run_part(&parts[t]); /* out of threads: do it here rather than fail */
    }
    run_part(&parts[0]);
    for (int64_t t = 1; t < nt; t++)
        if (started[t]) pthread_join(tids[t], NULL);
}
