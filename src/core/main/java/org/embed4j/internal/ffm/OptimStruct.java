package org.embed4j.internal.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.embed4j.backend.OptimStep;

/**
 * The C struct {@code e4j_optim} of native/include/embed4j.h, field for field, with the x86-64 SysV
 * alignment the C compiler uses: int32 kind @0, int32 nesterov @4, int64 step @8, float lr @16, momentum @20,
 * dampening @24, weight_decay @28, beta1 @32, beta2 @36, eps @40, int32 first_step @44, int32 maximize @48,
 * 4 bytes of tail padding: 56 bytes, 8-byte aligned. OptimStructTest pins these offsets.
 * Stateless; thread-safe.
 */
public final class OptimStruct {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("kind"),
                    ValueLayout.JAVA_INT.withName("nesterov"),
                    ValueLayout.JAVA_LONG.withName("step"),
                    ValueLayout.JAVA_FLOAT.withName("lr"),
                    ValueLayout.JAVA_FLOAT.withName("momentum"),
                    ValueLayout.JAVA_FLOAT.withName("dampening"),
                    ValueLayout.JAVA_FLOAT.withName("weight_decay"),
                    ValueLayout.JAVA_FLOAT.withName("beta1"),
                    ValueLayout.JAVA_FLOAT.withName("beta2"),
                    ValueLayout.JAVA_FLOAT.withName("eps"),
                    ValueLayout.JAVA_INT.withName("first_step"),
                    ValueLayout.JAVA_INT.withName("maximize"),
                    MemoryLayout.paddingLayout(4))
            .withName("e4j_optim");

    private static final VarHandle KIND = field("kind");
    private static final VarHandle NESTEROV = field("nesterov");
    private static final VarHandle STEP = field("step");
    private static final VarHandle LR = field("lr");
    private static final VarHandle MOMENTUM = field("momentum");
    private static final VarHandle DAMPENING = field("dampening");
    private static final VarHandle WEIGHT_DECAY = field("weight_decay");
    private static final VarHandle BETA1 = field("beta1");
    private static final VarHandle BETA2 = field("beta2");
    private static final VarHandle EPS = field("eps");
    private static final VarHandle FIRST_STEP = field("first_step");
    private static final VarHandle MAXIMIZE = field("maximize");

    private OptimStruct() {}

    /** A new e4j_optim holding {@code step}, allocated with {@code allocator}. */
    public static MemorySegment of(SegmentAllocator allocator, OptimStep step) {
        MemorySegment s = allocator.allocate(LAYOUT);
        write(s, step);
        return s;
    }

    /** Fills an e4j_optim-sized segment with {@code step}. */
    public static void write(MemorySegment s, OptimStep step) {
        KIND.set(s, 0L, step.kind().ordinal());
        NESTEROV.set(s, 0L, step.nesterov() ? 1 : 0);
        STEP.set(s, 0L, step.step());
        LR.set(s, 0L, step.lr());
        MOMENTUM.set(s, 0L, step.momentum());
        DAMPENING.set(s, 0L, step.dampening());
        WEIGHT_DECAY.set(s, 0L, step.weightDecay());
        BETA1.set(s, 0L, step.beta1());
        BETA2.set(s, 0L, step.beta2());
        EPS.set(s, 0L, step.eps());
        FIRST_STEP.set(s, 0L, step.firstStep() ? 1 : 0);
        MAXIMIZE.set(s, 0L, step.maximize() ? 1 : 0);
    }

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }
}
