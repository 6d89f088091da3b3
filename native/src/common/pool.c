/* pool.c — e4j_pool_parallel_for: e4j_parallel_for's contract (disjoint contiguous parts covering
 * [0, n), at most e4j_threads of them, each >= grain items) on PERSISTENT worker threads.
 *
 * Why: e4j_parallel_for starts fresh pthreads per call (~50 us start + join measured here), which is a
 * third of a 256^3 product on two cores and more than a whole softmax cross-entropy of 65536 x 2 logits. GEMM
 * and the cross-entropy are called back to back (Linear layers, every training step), so workers that stay
 * alive and spin briefly between calls make a 2-thread call cost a few microseconds.
 *
 * How: one job at a time. The job's state is one 64-bit word (generation | part count | next part);
 * the caller and the workers claim parts with a CAS on it, so a part runs exactly once, a late worker
 * can never claim a part of a newer job, and the caller claims whatever nobody else took: the call
 * finishes even if no worker ever runs (none could be started, the machine is busy, or after fork()).
 * Workers spin ~50 us on the word, then sleep on a condition variable. The caller waits only for parts
 * that workers have claimed. A second caller while a job runs (another Java thread) falls back to
 * e4j_parallel_for rather than wait. Workers live until the process exits; at most POOL_MAX_WORKERS.
 * Never aborts; never allocates beyond pthread_create's own stacks.
 */
#include "internal.h"

#include <immintrin.h>
#include <pthread.h>
#include <sched.h>

#define POOL_MAX_WORKERS 63
#define SPIN_ROUNDS 2000 /* pause rounds (~25 ns each on Zen/Skylake) before sleeping */

/* state: bits 63..32 generation, 31..16 number of parts, 15..0 next part to claim */
#define ST(gen, parts, next) (((uint64_t)(gen) << 32) | ((uint64_t)(parts) << 16) | (uint64_t)(next))
#define ST_GEN(s) ((uint32_t)((s) >> 32))
#define ST_PARTS(s) ((int64_t)(((s) >> 16) & 0xFFFF))
#define ST_NEXT(s) ((int64_t)((s)&0xFFFF))

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER, done_cv = PTHREAD_COND_INITIALIZER;
static uint64_t state;               /* atomic */
static int64_t parts_done;           /* atomic */
static int sleepers, caller_waiting; /* under sleep_lock */
static int workers;                  /* started so far; under submit_lock */

/* the current job: written by the caller before it publishes a new generation, read after a claim */
static e4j_range_fn job_fn;
static void *job_ctx;
static int64_t job_n;

static void part_range(int64_t part, int64_t parts, int64_t *begin, int64_t *end) {
    int64_t base = job_n / parts, rem = job_n % parts;
    *begin = part * base + (part < rem ? part : rem);
    *end = *begin + base + (part < rem ? 1 : 0);
}

/* Claims and runs parts of generation gen until none are left; returns how many it ran. */
static int64_t run_parts(uint32_t gen) {
    int64_t ran = 0;
    for (;;) {
        uint64_t s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
        if (ST_GEN(s) != gen || ST_NEXT(s) >= ST_PARTS(s)) return ran;
        if (!__atomic_compare_exchange_n(&state, &s, s + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
        int64_t b, e;
        part_range(ST_NEXT(s), ST_PARTS(s), &b, &e);
        job_fn(job_ctx, b, e);
        ran++;
        if (__atomic_add_fetch(&parts_done, 1, __ATOMIC_ACQ_REL) == ST_PARTS(s)) {
            pthread_mutex_lock(&sleep_lock);
            if (caller_waiting) pthread_cond_signal(&done_cv);
            pthread_mutex_unlock(&sleep_lock);
        }
    }
}

static void *worker_main(void *arg) {
    uint32_t seen = (uint32_t)(uintptr_t)arg;
    for (;;) {
        uint32_t gen = seen;
        for (int i = 0; i < SPIN_ROUNDS && gen == seen; i++) {
            _mm_pause();
            gen = ST_GEN(__atomic_load_n(&state, __ATOMIC_ACQUIRE));
        }
        if (gen == seen) {
            pthread_mutex_lock(&sleep_lock);
            sleepers++;
            while ((gen = ST_GEN(__atomic_load_n(&state, __ATOMIC_ACQUIRE))) == seen)
                pthread_cond_wait(&wake_cv, &sleep_lock);
            sleepers--;
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = gen;
        run_parts(gen);
    }
    return NULL;
}

void e4j_pool_parallel_for(int64_t n, int64_t grain, e4j_range_fn fn, void *ctx) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t parts = e4j_threads;
    if (parts > POOL_MAX_WORKERS + 1) parts = POOL_MAX_WORKERS + 1;
    if (parts > (n + grain - 1) / grain) parts = (n + grain - 1) / grain;
    if (parts <= 1) {
        fn(ctx, 0, n);
        return;
    }
    if (pthread_mutex_trylock(&submit_lock) != 0) { /* another thread's job is running: don't wait for it */
        e4j_parallel_for(n, grain, fn, ctx);
        return;
    }
    uint32_t gen = ST_GEN(__atomic_load_n(&state, __ATOMIC_RELAXED)) + 1;
    while (workers < parts - 1) { /* lazily, once per process; a failed start just leaves more for us */
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 1 << 20); /* the kernels use a few KiB of stack */
        int ok = pthread_create(&t, &attr, worker_main, (void *)(uintptr_t)(gen - 1)) == 0;
        pthread_attr_destroy(&attr);
        if (!ok) break;
        workers++;
    }
    job_fn = fn;
    job_ctx = ctx;
    job_n = n;
    __atomic_store_n(&parts_done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&state, ST(gen, parts, 0), __ATOMIC_RELEASE);
    pthread_mutex_lock(&sleep_lock);
    if (sleepers) pthread_cond_broadcast(&wake_cv);
    pthread_mutex_unlock(&sleep_lock);

    run_parts(gen);
    for (int i = 0; i < SPIN_ROUNDS && __atomic_load_n(&parts_done, __ATOMIC_ACQUIRE) < parts; i++) _mm_pause();
    if (__atomic_load_n(&parts_done, __ATOMIC_ACQUIRE) < parts) {
        pthread_mutex_lock(&sleep_lock);
        caller_waiting = 1;
        while (__atomic_load_n(&parts_done, __ATOMIC_ACQUIRE) < parts) pthread_cond_wait(&done_cv, &sleep_lock);
        caller_waiting = 0;
        pthread_mutex_unlock(&sleep_lock);
    }
    pthread_mutex_unlock(&submit_lock);
}
