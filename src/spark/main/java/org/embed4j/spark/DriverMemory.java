package org.embed4j.spark;

import java.util.Locale;

/**
 * Refuses, before any round runs, a model that does not fit the driver: training keeps about three copies of the
 * weights there (the weights, the merge buffer, and the serialised broadcast while a round runs).
 */
final class DriverMemory {
    /** Copies of the weights the driver holds at once. */
    static final int COPIES = 3;

    private DriverMemory() {}

    /** Throws saying how big the model is when {@link #COPIES} copies of {@code modelBytes} exceed {@code maxHeap}. */
    static void check(String model, long modelBytes, long maxHeap) {
        long need = COPIES * modelBytes;
        if (need > maxHeap) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "the model does not fit the driver: %s is %s, and training keeps %d copies of it on the driver "
                            + "(weights, merge buffer, broadcast), %s, but the driver's heap is %s; raise "
                            + "spark.driver.memory above %s or make the model smaller (dim, maxVocab/minCount, bucket)",
                    model,
                    gib(modelBytes),
                    COPIES,
                    gib(need),
                    gib(maxHeap),
                    gib(need + need / 4)));
        }
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
