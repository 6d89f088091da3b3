package org.embed4j.internal.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The C struct {@code e4j_optim} of native/include/embed4j.h, field for field, with the x86-64 SysV
 * alignment the C compiler uses: int32 kind @0, int32 nesterov @4, int64 step @8, float lr @16, momentum @20,
 * dampening @24, weight_decay @28, beta1 @32, beta2 @36, eps @40, int32 first_step @44, int32 maximize @48,
 * 4 bytes of tail padding: 56 bytes, 8-byte aligned. OptimStructTest pins these offsets; AbiBindingTest checks the
 * field names and types against the header.
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

    /**
     * A new e4j_optim, allocated with {@code allocator}, with the fields in the C struct's order (booleans as 0/1).
     * {@code kind} is an e4j_optim_kind.
     */
    public static MemorySegment of(
            SegmentAllocator allocator,
            int kind,
            boolean nesterov,
            long step,
            float lr,
            float momentum,
            float dampening,
            float weightDecay,
            float beta1,
            float beta2,
            float eps,
            boolean firstStep,
            boolean maximize) {
        MemorySegment s = allocator.allocate(LAYOUT);
        KIND.set(s, 0L, kind);
        NESTEROV.set(s, 0L, nesterov ? 1 : 0);
        STEP.set(s, 0L, step);
        LR.set(s, 0L, lr);
        MOMENTUM.set(s, 0L, momentum);
        DAMPENING.set(s, 0L, dampening);
        WEIGHT_DECAY.set(s, 0L, weightDecay);
        BETA1.set(s, 0L, beta1);
        BETA2.set(s, 0L, beta2);
        EPS.set(s, 0L, eps);
        FIRST_STEP.set(s, 0L, firstStep ? 1 : 0);
        MAXIMIZE.set(s, 0L, maximize ? 1 : 0);
        return s;
    }

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }
}
