/* Small test harness for the C kernel tests: deterministic RNG, fills, comparisons that print the
 * first mismatching elements by position, and status checks. Header-only; each test_*.c is one
 * executable run by ctest. A failed check increments `failures`; main returns non-zero if any. */
#ifndef E4J_TEST_UTIL_H
#define E4J_TEST_UTIL_H
#include "embed4j.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;
static int max_level = 0; /* highest ISA level this CPU runs: 0 scalar, 1 AVX2, 2 AVX-512 */
#define MAX_LEVELS 3

static const int64_t SIZES[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1021, 4099};
#define NSIZES ((int)(sizeof SIZES / sizeof SIZES[0]))

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t rnd_int(int64_t n) { return (int64_t)(rnd() % (uint64_t)n); }
static float rnd_float(void) { return (float)((double)(rnd() >> 11) / 9007199254740992.0 * 2.0 - 1.0); }
static float *rnd_floats(int64_t n) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) p[i] = rnd_float();
    return p;
}
static float *copy_floats(const float *src, int64_t n) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    if (n > 0) memcpy(p, src, (size_t)n * sizeof(float));
    return p;
}
static float *filled(int64_t n, float v) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) p[i] = v;
    return p;
}

/* |a-b| <= atol + rtol*|b| elementwise (NaN == NaN); prints the first 5 mismatches */
static int close_enough(const char *what, const float *a, const float *b, int64_t n, float atol, float rtol) {
    int bad = 0;
    checks++;
    for (int64_t i = 0; i < n; i++) {
        float x = a[i], y = b[i];
        if (isnan(x) && isnan(y)) continue;
        if (x == y) continue;
        if (!(fabsf(x - y) <= atol + rtol * fabsf(y))) {
            if (bad < 5) printf("  MISMATCH %s at %lld: got %.9g expected %.9g\n", what, (long long)i, x, y);
            bad++;
        }
    }
    if (bad) {
        printf("FAIL %s: %d of %lld elements differ\n", what, bad, (long long)n);
        failures++;
    }
    return bad == 0;
}

static int bits_equal(const char *what, const void *a, const void *b, int64_t bytes) {
    checks++;
    if (bytes == 0 || memcmp(a, b, (size_t)bytes) == 0) return 1;
    const unsigned char *x = a, *y = b;
    for (int64_t i = 0; i < bytes; i++)
        if (x[i] != y[i]) {
            printf("FAIL %s: not bit-identical, first difference at byte %lld (element %lld as float: %.9g vs %.9g)\n",
                   what, (long long)i, (long long)(i / 4), ((const float *)a)[i / 4], ((const float *)b)[i / 4]);
            break;
        }
    failures++;
    return 0;
}

static int expect_status(const char *what, int32_t got, int32_t want, const char *msg_part) {
    checks++;
    const char *msg = e4j_last_error();
    if (got != want || (msg_part && !strstr(msg, msg_part))) {
        printf("FAIL %s: status %d (want %d), message \"%s\" (want to contain \"%s\")\n", what, got, want, msg,
               msg_part ? msg_part : "");
        failures++;
        return 0;
    }
    return 1;
}

static int expect_true(const char *what, int cond) {
    checks++;
    if (!cond) {
        printf("FAIL %s\n", what);
        failures++;
    }
    return cond;
}

#define OK(call) expect_status(#call, (call), E4J_OK, NULL)

/* levels to run: 0, then every higher one the CPU has (1 AVX2+FMA, 2 AVX-512) */
static int num_levels(void) { return max_level + 1; }
static void set_level(int level) { e4j_set_isa_level(level); }

static void test_init(const char *name) {
    static const char *const names[MAX_LEVELS] = {"scalar", "scalar + AVX2", "scalar + AVX2 + AVX-512"};
    for (int lv = MAX_LEVELS - 1; lv > 0 && max_level == 0; lv--)
        if (e4j_set_isa_level(lv) == E4J_OK) max_level = lv;
    printf("%s: levels tested: %s (cpu features %d)\n", name, names[max_level], e4j_cpu_features());
    e4j_set_isa_level(0);
    e4j_set_num_threads(1);
}

static int test_finish(const char *name) {
    printf("%s: %d checks, %d failures\n", name, checks, failures);
    return failures ? 1 : 0;
}
#endif
