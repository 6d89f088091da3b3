/* Runtime: version, thread-local last error, CPU feature probe, kernel level and thread count.
 * Compiled for baseline x86-64 (no -mavx2 or -mavx512*): calling the probe can never fault. */
#include "embed4j.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

/* CPUID leaf 1 (AVX, FMA, OSXSAVE), leaf 7 (AVX2; AVX-512 F, DQ, BW, VL) and XCR0 (which register state the
 * OS saves on a context switch: XMM|YMM = 0x6, plus opmask|ZMM_Hi256|Hi16_ZMM = 0xE0 for AVX-512). */
static int32_t probe_features(void) {
    int32_t f = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    unsigned xcr0 = 0;
    if (osxsave && avx) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = lo;
    }
    int avx2 = 0, avx512 = 0;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        avx2 = (b >> 5) & 1;
        const unsigned need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31); /* F, DQ, BW, VL */
        avx512 = (b & need) == need;
    }
    if (avx2 && avx) f |= E4J_CPU_AVX2;
    if (fma) f |= E4J_CPU_FMA;
    if ((xcr0 & 0x6u) == 0x6u) f |= E4J_CPU_OS_YMM;
    if (avx512) f |= E4J_CPU_AVX512;
    if ((xcr0 & 0xE6u) == 0xE6u) f |= E4J_CPU_OS_ZMM;
#endif
    return f;
}

E4J_API int32_t e4j_cpu_features(void) { return probe_features(); }

#define E4J_LEVEL1_FEATURES (E4J_CPU_AVX2 | E4J_CPU_FMA | E4J_CPU_OS_YMM)
#define E4J_LEVEL2_FEATURES (E4J_LEVEL1_FEATURES | E4J_CPU_AVX512 | E4J_CPU_OS_ZMM)

/* The environment variable E4J_MAX_LEVEL caps the level (to measure or test a lower level in a process that never
 * calls e4j_set_isa_level, such as a benchmark's JVM): "0", "1" or "2"; it can only lower the level, never raise it
 * past what the CPU runs. Any other non-empty value caps at 0 (scalar), the level every CPU runs. Unset or empty:
 * no cap. Read on every decision, so a test may set it before the first call. */
static int32_t level_cap(void) {
    const char *v = getenv("E4J_MAX_LEVEL");
    if (!v || !v[0]) return 2;
    return v[1] == 0 && v[0] >= '0' && v[0] <= '2' ? v[0] - '0' : 0;
}

/* the highest level this CPU and OS can run (2 AVX-512, 1 AVX2+FMA, 0 scalar), at most E4J_MAX_LEVEL */
static int32_t best_level(void) {
    const int32_t f = probe_features(), cap = level_cap();
    const int32_t cpu =
        (f & E4J_LEVEL2_FEATURES) == E4J_LEVEL2_FEATURES ? 2 : (f & E4J_LEVEL1_FEATURES) == E4J_LEVEL1_FEATURES;
    return cpu < cap ? cpu : cap;
}

int32_t e4j_isa = -1; /* -1: not decided yet */
int32_t e4j_threads = 1;

E4J_API int32_t e4j_isa_level(void) {
    if (e4j_isa < 0) e4j_isa = best_level();
    return e4j_isa;
}

E4J_API e4j_status e4j_set_isa_level(int32_t level) {
    static const char *const names[] = {"scalar", "AVX2+FMA", "AVX-512 (F, BW, DQ, VL)"};
    if (level < 0 || level > 2)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "isa level must be 0 (scalar), 1 (avx2) or 2 (avx512), got %d",
                        level);
    if (level > best_level())
        return e4j_fail(E4J_ERR_UNSUPPORTED,
                        "this CPU (or OS) lacks %s, or E4J_MAX_LEVEL caps it; features bitmask %d, highest level %d",
                        names[level], probe_features(), best_level());
    e4j_isa = level;
    return E4J_OK;
}

E4J_API e4j_status e4j_set_num_threads(int32_t n) {
    if (n < 1 || n > 1024) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "thread count must be in [1, 1024], got %d", n);
    e4j_threads = n;
    return E4J_OK;
}

E4J_API int32_t e4j_num_threads(void) { return e4j_threads; }
