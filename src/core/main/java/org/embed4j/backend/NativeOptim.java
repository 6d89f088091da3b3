package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import org.embed4j.internal.ffm.OptimStruct;

/** An {@link OptimStep} as the C struct e4j_optim the native update kernels take. Stateless. */
final class NativeOptim {
    private NativeOptim() {}

    /** A new e4j_optim holding {@code step} (the kind as its e4j_optim_kind value, the ordinal). */
    static MemorySegment struct(SegmentAllocator allocator, OptimStep step) {
        return OptimStruct.of(
                allocator,
                step.kind().ordinal(),
                step.nesterov(),
                step.step(),
                step.lr(),
                step.momentum(),
                step.dampening(),
                step.weightDecay(),
                step.beta1(),
                step.beta2(),
                step.eps(),
                step.firstStep(),
                step.maximize());
    }
}
