package org.embed4j.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A native downcall that holds a segment until told to return, as a long kernel would: a thread passes the segment
 * to a downcall whose target is an upcall stub (a Java method behind a C function pointer), and the upcall waits.
 * For as long as the downcall runs, FFM keeps the segment's arena acquired, so closing that arena throws
 * {@code IllegalStateException} ("Session is acquired by 1 clients"). Deterministic: {@link #start} returns once
 * the thread is inside the downcall, {@link #close} lets it return and joins it.
 *
 * <p>The upcall never throws (an exception escaping an upcall ends the JVM): it only waits on a latch, 60 s at most.
 */
@SuppressWarnings({"restricted", "try"}) // binds an upcall stub on purpose; close() waits for the holding thread
public final class NativeHold implements AutoCloseable {
    private static final MethodHandle CALL_STUB;
    private static final ThreadLocal<NativeHold> CURRENT = new ThreadLocal<>();

    static {
        try {
            MethodHandle wait = MethodHandles.lookup()
                    .findStatic(
                            NativeHold.class, "insideNative", MethodType.methodType(void.class, MemorySegment.class));
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor takesPointer = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
            MemorySegment stub = linker.upcallStub(wait, takesPointer, Arena.global());
            CALL_STUB = linker.downcallHandle(stub, takesPointer);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CountDownLatch inside = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Thread thread;
    private volatile Throwable failure;

    private NativeHold(MemorySegment segment) {
        thread = Thread.ofPlatform().daemon().name("native-hold").unstarted(() -> {
            CURRENT.set(this);
            try {
                CALL_STUB.invokeExact(segment);
            } catch (Throwable t) {
                failure = t;
                inside.countDown();
            } finally {
                CURRENT.remove();
            }
        });
    }

    /** Starts a thread that passes {@code segment} to a downcall, and returns once that call is running. */
    public static NativeHold start(MemorySegment segment) throws InterruptedException {
        NativeHold hold = new NativeHold(segment);
        hold.thread.start();
        if (!hold.inside.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the holding thread never entered its downcall");
        }
        if (hold.failure != null) {
            throw new IllegalStateException("the downcall failed: " + hold.failure, hold.failure);
        }
        return hold;
    }

    /** Lets the downcall return and waits for its thread. */
    @Override
    public void close() throws InterruptedException {
        release.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (failure != null) {
            throw new IllegalStateException("the downcall failed: " + failure, failure);
        }
    }

    @SuppressWarnings("unused") // the upcall target
    private static void insideNative(MemorySegment ignored) {
        NativeHold hold = CURRENT.get();
        hold.inside.countDown();
        try {
            hold.release.await(60, TimeUnit.SECONDS); // bounded: a test that forgets close() does not hang forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
