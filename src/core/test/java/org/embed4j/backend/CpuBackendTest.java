package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FFM side of the native CPU backend: status codes become the documented exceptions with the native message,
 * failed calls leave outputs untouched, and sort results come back in the Java reference's layout.
 * Per-kernel numerics are the conformance tests' job (they run over Backends.available()).
 */
class CpuBackendTest {
    private static Backend cpu;

    @BeforeAll
    static void load() {
        boolean available = Backends.describe().get(1).available();
        Assumptions.assumeTrue(
                available,
                "no native CPU backend here: " + Backends.describe().get(1).detail());
        cpu = Backends.get("cpu");
    }

    @Test
    void outOfRangeGatherIndexNamesPositionAndValueAndWritesNothing() {
        try (Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
                Tensor idx = Tensor.of(new long[] {0, 2, 7, 1});
                Tensor idx32 = Tensor.of(new int[] {1, -4});
                Tensor out = Tensor.allocate(DType.F32, 4, 2);
                Tensor out32 = Tensor.allocate(DType.F32, 2, 2)) {
            cpu.fill(out, -9f);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> cpu.gather(out, w, idx));
            assertTrue(e.getMessage().contains("7") && e.getMessage().contains("position 2"), e.getMessage());
            assertTrue(e.getMessage().contains("e4j_gather_forward"), e.getMessage());
            assertArrayEquals(new float[] {-9, -9, -9, -9, -9, -9, -9, -9}, out.toFloatArray(), "output untouched");

            cpu.fill(out32, -9f);
            IndexOutOfBoundsException e32 =
                    assertThrows(IndexOutOfBoundsException.class, () -> cpu.gather(out32, w, idx32));
            assertTrue(e32.getMessage().contains("-4") && e32.getMessage().contains("position 1"), e32.getMessage());
            assertArrayEquals(new float[] {-9, -9, -9, -9}, out32.toFloatArray(), "output untouched");
        }
    }

    @Test
    void gatherMatchesTheReferenceBitForBit() {
        Backend java = Backends.get("java");
        try (Tensor w = Tensor.of(new float[] {1.5f, -2, 3, Float.MIN_VALUE, -0f, 6e30f}, 3, 2);
                Tensor idx = Tensor.of(new int[] {2, 0, 2, 1});
                Tensor got = Tensor.allocate(DType.F32, 4, 2);
                Tensor want = Tensor.allocate(DType.F32, 4, 2)) {
            cpu.gather(got, w, idx);
            java.gather(want, w, idx);
            assertArrayEquals(want.toFloatArray(), got.toFloatArray());
        }
    }

    @Test
    void sortComesBackInTheReferenceLayout() {
        Backend java = Backends.get("java");
        long[] values = {5, 1, 5, 3, 1, 0, 5};
        try (Tensor idx = Tensor.of(values);
                SortedIndices got = cpu.sortIndices(idx, 6, 3);
                SortedIndices want = java.sortIndices(idx, 6, 3)) {
            assertEquals(want.numUnique(), got.numUnique());
            assertEquals(want.numIndices(), got.numIndices());
            assertArrayEquals(want.uniq().toLongArray(), got.uniq().toLongArray());
            assertArrayEquals(want.seg().toLongArray(), got.seg().toLongArray());
            long kept = want.seg().getIndex(want.numUnique());
            assertArrayEquals(
                    Arrays.copyOf(want.perm().toLongArray(), (int) kept),
                    Arrays.copyOf(got.perm().toLongArray(), (int) kept));
            assertEquals(values.length, got.perm().numel());
        }
    }

    @Test
    void outOfRangeSortIndexIsAnIndexError() {
        try (Tensor idx = Tensor.of(new long[] {0, 1, 10})) {
            IndexOutOfBoundsException e =
                    assertThrows(IndexOutOfBoundsException.class, () -> cpu.sortIndices(idx, 4, -1));
            assertTrue(e.getMessage().contains("10") && e.getMessage().contains("position 2"), e.getMessage());
        }
    }

    @Test
    void nanLogitsAreAnArgumentErrorAndLeaveTheGradientAlone() {
        try (Tensor logits = Tensor.of(new float[] {0, 1, Float.NaN, 2}, 2, 2);
                Tensor targets = Tensor.of(new long[] {0, 1});
                Tensor loss = Tensor.allocate(DType.F32, 1);
                Tensor dLogits = Tensor.allocate(DType.F32, 2, 2)) {
            cpu.fill(dLogits, 7f);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> cpu.softmaxXent(loss, dLogits, logits, targets, null, -100, 0f, Reduction.MEAN));
            assertTrue(e.getMessage().contains("e4j_softmax_xent"), e.getMessage());
            assertArrayEquals(new float[] {7, 7, 7, 7}, dLogits.toFloatArray());
        }
    }
}
