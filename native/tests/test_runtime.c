/* C tests of the kernel level's cap: the environment variable E4J_MAX_LEVEL lowers the default level and refuses
 * e4j_set_isa_level above it, never raises the level past what the CPU runs, and an unknown value caps at 0. */
#pragma GCC diagnostic ignored "-Wunused-function" /* this test uses only a few of test_util.h's helpers */
#include "test_util.h"

#include <stdlib.h>

/* the level the CPU and OS run, from the feature bits (the same rule as the library's probe) */
static int cpu_level(void) {
    const int f = e4j_cpu_features();
    const int l1 = E4J_CPU_AVX2 | E4J_CPU_FMA | E4J_CPU_OS_YMM, l2 = l1 | E4J_CPU_AVX512 | E4J_CPU_OS_ZMM;
    return (f & l2) == l2 ? 2 : (f & l1) == l1;
}

static void expect_cap(const char *value, int cap) {
    char what[128];
    setenv("E4J_MAX_LEVEL", value, 1);
    const int want = cap < cpu_level() ? cap : cpu_level();
    for (int lv = 0; lv <= 2; lv++) {
        snprintf(what, sizeof what, "E4J_MAX_LEVEL=\"%s\": e4j_set_isa_level(%d)", value, lv);
        expect_status(what, e4j_set_isa_level(lv), lv <= want ? E4J_OK : E4J_ERR_UNSUPPORTED,
                      lv <= want ? NULL : "E4J_MAX_LEVEL");
        snprintf(what, sizeof what, "E4J_MAX_LEVEL=\"%s\": the level stays at most %d", value, want);
        expect_true(what, e4j_isa_level() <= want);
    }
}

int main(void) {
    setenv("E4J_MAX_LEVEL", "1", 1); /* before the first call: the default level is decided under the cap */
    char what[64];
    snprintf(what, sizeof what, "default level under E4J_MAX_LEVEL=1 is %d", cpu_level() < 1 ? cpu_level() : 1);
    expect_true(what, e4j_isa_level() == (cpu_level() < 1 ? cpu_level() : 1));
    test_init("test_runtime");
    expect_cap("0", 0);
    expect_cap("1", 1);
    expect_cap("2", 2);
    expect_cap("avx2", 0);
    expect_cap("12", 0);
    expect_cap("", 2);
    unsetenv("E4J_MAX_LEVEL");
    expect_status("no cap: the CPU's own level", e4j_set_isa_level(cpu_level()), E4J_OK, NULL);
    return test_finish("test_runtime");
}
