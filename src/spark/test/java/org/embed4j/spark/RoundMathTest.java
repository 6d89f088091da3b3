package org.embed4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.foreign.MemorySegment;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.word2vec.Word2VecOptions;
import org.junit.jupiter.api.Test;

/**
 * The driver's and the tasks' arithmetic without Spark: blocked matrices (serialisation, copies), changed-row
 * detection, the row merges (average: a count in every division; sum: every shard's change; rows no shard changed
 * kept), the driver-memory refusal, and
 * core options carried as record components.
 */
class RoundMathTest {
    private static FloatRows filled(long rows, int dim, int rowsPerBlock, float base) {
        FloatRows m = new FloatRows(rows, dim, rowsPerBlock);
        for (long r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                m.block(r)[m.offset(r) + j] = base + r * 10 + j;
            }
        }
        return m;
    }

    private static float at(FloatRows m, long r, int j) {
        return m.block(r)[m.offset(r) + j];
    }

    @Test
    void blockedMatricesSerialiseAndCopyWholeRows() throws IOException, ClassNotFoundException {
        FloatRows m = filled(7, 3, 2, 0.5f); // 4 blocks, the last one short
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        FloatRows back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (FloatRows) in.readObject();
        }
        assertEquals(7, back.rows());
        try (Tensor t = Tensor.allocate(DType.F32, 7, 3)) {
            back.copyTo(t);
            assertEquals(at(m, 6, 2), t.getFloat(6 * 3 + 2));
            FloatRows again = new FloatRows(7, 3);
            again.copyFrom(t);
            for (long r = 0; r < 7; r++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(at(m, r, j), at(again, r, j), "row " + r);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> FloatRows.wrap(new float[7], 3));
    }

    @Test
    void changedRowsAreFoundByComparingWithTheStart() {
        FloatRows start = filled(5, 4, 2, 0f);
        float[] after = new float[20];
        for (int r = 0; r < 5; r++) {
            for (int j = 0; j < 4; j++) {
                after[r * 4 + j] = at(start, r, j);
            }
        }
        after[1 * 4 + 3] += 1e-6f;
        after[4 * 4] = -1f;
        RowDelta d = RowDelta.changed(MemorySegment.ofArray(after), start);
        assertArrayEquals(new long[] {1, 4}, d.rows);
        assertEquals(after[1 * 4 + 3], at(d.values, 0, 3));
        assertEquals(-1f, at(d.values, 1, 0));
    }

    @Test
    void rowsAreAveragedOrSummedOverTheShardsThatChangedThem() {
        FloatRows current = filled(4, 2, 3, 100f);
        RowMerge avg = new RowMerge(current.zerosLike(), DataParallel.Merge.AVERAGE);
        FloatRows a = FloatRows.wrap(new float[] {1, 2, 3, 4}, 2); // rows 0 and 2
        FloatRows b = FloatRows.wrap(new float[] {5, 6}, 2); // row 2
        avg.add(new RowDelta(new long[] {0, 2}, a));
        avg.add(new RowDelta(new long[] {2}, b));
        avg.add(new RowDelta(new long[0], new FloatRows(0, 2)));
        assertEquals(2, avg.finish(current));
        FloatRows m = avg.merged();
        assertEquals(1f, at(m, 0, 0)); // one shard: its value
        assertEquals(2f, at(m, 0, 1));
        assertEquals(4f, at(m, 2, 0)); // two shards: (3 + 5) / 2
        assertEquals(5f, at(m, 2, 1));
        assertEquals(at(current, 1, 1), at(m, 1, 1)); // untouched rows keep their value
        assertEquals(at(current, 3, 0), at(m, 3, 0));
        RowMerge sum = new RowMerge(current.zerosLike(), DataParallel.Merge.SUM);
        sum.add(new RowDelta(new long[] {0, 2}, a));
        sum.add(new RowDelta(new long[] {2}, b));
        assertEquals(2, sum.finish(current));
        assertEquals(1f, at(sum.merged(), 0, 0)); // one shard: its value
        // two shards: w + (3 - w) + (5 - w) = 8 - w, w = 120
        assertEquals(8f - 120f, at(sum.merged(), 2, 0));
        assertEquals(10f - 121f, at(sum.merged(), 2, 1));
        assertEquals(at(current, 3, 1), at(sum.merged(), 3, 1));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new RowMerge(new FloatRows(4, 2), DataParallel.Merge.SUM)
                        .add(new RowDelta(new long[] {0}, new FloatRows(1, 3))));
        assertTrue(e.getMessage().contains("dim 3"), e.getMessage());
    }

    @Test
    void aModelTooBigForTheDriverIsRefusedWithItsSize() {
        DriverMemory.check("small", 1 << 20, 1L << 30);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> DriverMemory.check("W_in 1000000 x 300", 2_400_000_000L, 4L << 30));
        assertTrue(
                e.getMessage().contains("2.24 GiB")
                        && e.getMessage().contains("6.71 GiB")
                        && e.getMessage().contains("spark.driver.memory"),
                e.getMessage());
    }

    @Test
    void coreOptionsTravelAsTheirComponents() {
        Word2VecOptions o = Word2VecOptions.defaults().withDim(33).withSubwords(2, 4, 99);
        assertEquals(o, RecordWire.of(o).get());
        ClassifierOptions c = ClassifierOptions.DEFAULTS.withNeg(7);
        assertEquals(c, RecordWire.of(c).get());
    }

    @Test
    void dataParallelSettingsAreChecked() {
        assertEquals(3, DataParallel.of(2).threads(3));
        assertEquals(4, DataParallel.of(2).withThreadsPerTask(4).threads(1));
        var e = assertThrows(IllegalArgumentException.class, () -> DataParallel.of(0));
        assertTrue(e.getMessage().contains("partitions"), e.getMessage());
    }
}
