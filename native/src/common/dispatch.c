/* The three primitive tables, filled from the lists in kernels.h: scalar reference (src/ref), AVX2+FMA (src/avx2)
 * and AVX-512 (the AVX2 table with the entries of E4J_PRIMS_AVX512 replaced by src/avx512's); and the work grain
 * of the drivers. Compiled for baseline x86-64; the AVX2 and AVX-512 functions are only called when
 * e4j_isa_level() says the CPU runs them (CPUID + XGETBV probe in runtime.c). */
#include "kernels.h"

#define E4J_REF_ENTRY(ret, name, params) .name = e4j_##name##_ref,
#define E4J_AVX2_ENTRY(ret, name, params) .name = e4j_##name##_avx2,
#define E4J_AVX512_ENTRY(name) .name = e4j_##name##_avx512,

const e4j_prims e4j_prims_ref = {E4J_PRIMS(E4J_REF_ENTRY)};
const e4j_prims e4j_prims_avx2 = {E4J_PRIMS(E4J_AVX2_ENTRY)};
/* Every AVX2 entry, then the AVX-512 ones: a later designated initializer of the same field replaces the earlier
 * one (C11 6.7.9), which is the point here, so -Woverride-init is silenced for this one table. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const e4j_prims e4j_prims_avx512 = {E4J_PRIMS(E4J_AVX2_ENTRY) E4J_PRIMS_AVX512(E4J_AVX512_ENTRY)};
#pragma GCC diagnostic pop

/* Items per thread part: ~256K float-ops (~50-100 us of memory-bound work) each, so that a part clearly
 * outweighs the 20-50 us of starting and joining a pthread; smaller calls stay on the caller's thread. */
int64_t e4j_grain(int64_t cost_per_item) {
    if (cost_per_item < 1) cost_per_item = 1;
    int64_t g = ((int64_t)1 << 18) / cost_per_item;
    return g < 1 ? 1 : g;
}
