/* Runtime: version, thread-local last error, CPU feature probe, kernel level and thread count.
 * Compiled for baseline x86-64 (no -mavx2): calling the probe can never fault. */
#include "embed4j.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static _Thread_local char last_error[512];

e4j_status e4j_fail(e4j_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

E4J_API const char *e4j_last_error(void) { return last_error; }
E4J_API const char *e4j_version(void) { return E4J_VERSION_STRING; }
E4J_API int32_t e4j_abi_version(void) { return E4J_ABI_VERSION; }

static int32_t probe_features(void) {
    int32_t f = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    int ymm_saved = 0;
    if (osxsave && avx) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        ymm_saved = (lo & 6u) == 6u; /* XMM and YMM state enabled by the OS */
    }
    int avx2 = 0;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        avx2 = (b >> 5) & 1;
    }
    if (avx2 && avx) f |= 1;
    if (fma) f |= 2;
    if (ymm_saved) f |= 4;
#endif
    return f;
}

E4J_API int32_t e4j_cpu_features(void) { return probe_features(); }

static int avx2_usable(void) { return (probe_features() & 7) == 7; }

int32_t e4j_isa = -1; /* -1: not decided yet */
int32_t e4j_threads = 1;

E4J_API int32_t e4j_isa_level(void) {
    if (e4j_isa < 0) e4j_isa = avx2_usable() ? 1 : 0;
    return e4j_isa;
}

E4J_API e4j_status e4j_set_isa_level(int32_t level) {
    if (level != 0 && level != 1)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "isa level must be 0 (scalar) or 1 (avx2), got %d", level);
    if (level == 1 && !avx2_usable())
        return e4j_fail(E4J_ERR_UNSUPPORTED, "this CPU (or OS) lacks AVX2+FMA; features bitmask %d", probe_features());
    e4j_isa = level;
    return E4J_OK;
}

E4J_API e4j_status e4j_set_num_threads(int32_t n) {
    if (n < 1 || n > 1024) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "thread count must be in [1, 1024], got %d", n);
    e4j_threads = n;
    return E4J_OK;
}

E4J_API int32_t e4j_num_threads(void) { return e4j_threads; }
