/* Internal helpers shared by the kernel files; not part of the ABI. */
#ifndef E4J_INTERNAL_H
#define E4J_INTERNAL_H
#include "embed4j.h"

/* Sets the thread-local message (e4j_last_error) and returns status. */
e4j_status e4j_fail(e4j_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern int32_t e4j_isa;     /* kernel level, see e4j_set_isa_level */
extern int32_t e4j_threads; /* threads per call */

/* Fork-join over [0, n): fn(ctx, begin, end) on disjoint ranges that cover [0, n) exactly once.
 * Splits over e4j_threads pthreads (the caller's thread does one part); runs inline when
 * threads == 1 or n <= grain. If a thread cannot be created its part runs inline. Never aborts.
 * Parts are contiguous and in order; fn must not depend on how [0, n) is split (determinism). */
typedef void (*e4j_range_fn)(void *ctx, int64_t begin, int64_t end);
void e4j_parallel_for(int64_t n, int64_t grain, e4j_range_fn fn, void *ctx);
/* The same contract on persistent worker threads (pool.c), for short calls made back to back (GEMM, softmax
 * cross-entropy): a part costs a few microseconds instead of a thread start. */
void e4j_pool_parallel_for(int64_t n, int64_t grain, e4j_range_fn fn, void *ctx);

#endif
