/* The two primitive tables, filled from the one list in kernels.h: scalar reference (src/ref) and AVX2+FMA
 * (src/avx2); and the work grain of the drivers. Compiled for baseline x86-64; the AVX2 functions are only
 * called when e4j_isa_level() == 1 (CPUID + XGETBV probe in runtime.c). */
#include "kernels.h"

#define E4J_REF_ENTRY(ret, name, params) .name = e4j_##name##_ref,
#define E4J_AVX2_ENTRY(ret, name, params) .name = e4j_##name##_avx2,

const e4j_prims e4j_prims_ref = {E4J_PRIMS(E4J_REF_ENTRY)};
const e4j_prims e4j_prims_avx2 = {E4J_PRIMS(E4J_AVX2_ENTRY)};

/* Items per thread part: ~256K float-ops (~50-100 us of memory-bound work) each, so that a part clearly
 * outweighs the 20-50 us of starting and joining a pthread; smaller calls stay on the caller's thread. */
int64_t e4j_grain(int64_t cost_per_item) {
    if (cost_per_item < 1) cost_per_item = 1;
    int64_t g = ((int64_t)1 << 18) / cost_per_item;
    return g < 1 ? 1 : g;
}
