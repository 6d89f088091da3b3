package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Row access of row-major F32 host memory for the Java reference: whole rows through bulk copies. */
final class Rows {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Rows() {}

    static void read(MemorySegment m, long row, float[] dst) {
        MemorySegment.copy(m, F, row * dst.length * Float.BYTES, dst, 0, dst.length);
    }

    static void write(MemorySegment m, long row, float[] src) {
        MemorySegment.copy(src, 0, m, F, row * src.length * Float.BYTES, src.length);
    }

    /** m[row,:] += g, elementwise in float. */
    static void add(MemorySegment m, long row, float[] g, float[] scratch) {
        read(m, row, scratch);
        for (int c = 0; c < g.length; c++) {
            scratch[c] += g[c];
        }
        write(m, row, scratch);
    }
}
