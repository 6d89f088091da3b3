/* The two primitive tables: scalar reference and AVX2+FMA. Compiled for baseline x86-64; the AVX2
 * functions are only called when e4j_isa_level() == 1 (CPUID + XGETBV probe in runtime.c). */
#include "kernels.h"

#define E4J_TABLE(sfx)                                                                                      \
    {                                                                                                       \
        e4j_gather_##sfx, e4j_bag_forward_##sfx, e4j_reduce_rows_##sfx, e4j_reduce_bag_rows_##sfx,          \
        e4j_add_scaled_##sfx, e4j_scale_##sfx, e4j_dot_##sfx, e4j_optim_##sfx, e4j_rowwise_sumsq_##sfx,     \
        e4j_rowwise_apply_##sfx, e4j_bias_add_##sfx, e4j_col_sums_##sfx, e4j_relu_forward_##sfx,            \
        e4j_relu_backward_##sfx, e4j_dot_rows_##sfx, e4j_dot_rows_i8_##sfx                                \
    }

const e4j_prims e4j_prims_ref = E4J_TABLE(ref);
const e4j_prims e4j_prims_avx2 = E4J_TABLE(avx2);

/* Items per thread part: ~256K float-ops (~50-100 us of memory-bound work) each, so that a part clearly
 * outweighs the 20-50 us of starting and joining a pthread; smaller calls stay on the caller's thread. */
int64_t e4j_grain(int64_t cost_per_item) {
    if (cost_per_item < 1) cost_per_item = 1;
    int64_t g = ((int64_t)1 << 18) / cost_per_item;
    return g < 1 ? 1 : g;
}
