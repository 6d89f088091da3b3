package org.embed4j.internal.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.embed4j.testing.NativeHold;
import org.junit.jupiter.api.Test;

class ModelScopeTest {

    /** Each task on a thread of its own: the common pool may have a single thread on a small machine. */
    private static void onOwnThread(Runnable task) {
        Thread.ofPlatform().daemon().start(task);
    }

    @Test
    void closeRefusesNewCallsByName() {
        ModelScope scope = ModelScope.open("vectors x.e4jv");
        scope.enter();
        scope.exit();
        scope.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, scope::enter);
        assertEquals("vectors x.e4jv is closed", e.getMessage());
        assertThrows(IllegalStateException.class, scope::checkOpen);
        assertTrue(scope.isClosed());
        scope.close(); // idempotent
    }

    @Test
    void closeWaitsForTheCallsInFlightThenFreesTheMemory() throws Exception {
        ModelScope scope = ModelScope.open("model");
        MemorySegment memory = scope.arena().allocate(1024);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Float> call = CompletableFuture.supplyAsync(
                () -> {
                    scope.enter();
                    try {
                        entered.countDown();
                        finish.await();
                        return memory.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0); // the memory is still there
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        scope.exit();
                    }
                },
                ModelScopeTest::onOwnThread);
        entered.await();
        CompletableFuture<Void> close = CompletableFuture.runAsync(scope::close, ModelScopeTest::onOwnThread);
        Thread.sleep(100);
        assertFalse(close.isDone(), "close returned while a call was in flight");
        assertTrue(memory.scope().isAlive());
        assertThrows(IllegalStateException.class, scope::enter, "new calls are refused while close waits");
        finish.countDown();
        assertEquals(0f, call.get(30, TimeUnit.SECONDS));
        close.get(30, TimeUnit.SECONDS);
        assertFalse(memory.scope().isAlive());
    }

    @Test
    @SuppressWarnings("try") // the resource's lifetime is the point: it holds a native call open
    void closeRetriesWhileANativeCallHoldsTheMemory() throws Exception {
        ModelScope scope = ModelScope.open("model");
        MemorySegment memory = scope.arena().allocate(64);
        CompletableFuture<Void> close;
        try (NativeHold hold = NativeHold.start(memory)) {
            close = CompletableFuture.runAsync(scope::close, ModelScopeTest::onOwnThread);
            Thread.sleep(100);
            assertFalse(close.isDone(), "the arena cannot close while the downcall holds it");
            assertTrue(memory.scope().isAlive());
        }
        close.get(30, TimeUnit.SECONDS);
        assertFalse(memory.scope().isAlive());
    }

    @Test
    void releaseActionsRunOnceOnClose() {
        ModelScope scope = ModelScope.onHeap("model");
        AtomicInteger runs = new AtomicInteger();
        scope.onClose(runs::incrementAndGet);
        scope.close();
        scope.close();
        assertEquals(1, runs.get());
        scope.onClose(runs::incrementAndGet); // after the release: at once
        assertEquals(2, runs.get());
        assertThrows(IllegalStateException.class, scope::arena, "a heap scope has no arena");
    }

    @Test
    void aViewCountsItsCallsInTheParentAndClosingItKeepsTheParentOpen() throws Exception {
        ModelScope parent = ModelScope.open("vectors");
        MemorySegment memory = parent.arena().allocate(8);
        ModelScope view = parent.view("first 10 words of vectors");
        view.enter();
        CompletableFuture<Void> close = CompletableFuture.runAsync(parent::close, ModelScopeTest::onOwnThread);
        Thread.sleep(100);
        assertFalse(close.isDone(), "the parent waits for the view's call");
        view.exit();
        close.get(30, TimeUnit.SECONDS);
        assertFalse(memory.scope().isAlive());
        assertThrows(IllegalStateException.class, view::enter, "a view of a closed model is closed");

        ModelScope other = ModelScope.open("other");
        ModelScope otherView = other.view("view");
        otherView.close();
        assertThrows(IllegalStateException.class, otherView::enter);
        other.enter(); // still open
        other.exit();
        other.close();
    }

    @Test
    void anUnreachableScopeIsReleasedByTheCleaner() throws Exception {
        MemorySegment.Scope memory = allocateAndDrop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (memory.isAlive() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(memory.isAlive(), "the Cleaner closes the arena of a scope nobody closed");
    }

    private static MemorySegment.Scope allocateAndDrop() {
        ModelScope scope = ModelScope.open("dropped");
        return scope.arena().allocate(16).scope();
    }

    @Test
    void stripesArePowersOfTwo() {
        assertEquals(2, ModelScope.stripes(1));
        assertEquals(4, ModelScope.stripes(2));
        assertEquals(8, ModelScope.stripes(3));
        assertEquals(32, ModelScope.stripes(16));
        assertEquals(64, ModelScope.stripes(500));
    }
}
