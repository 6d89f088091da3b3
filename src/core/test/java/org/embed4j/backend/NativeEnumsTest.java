package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.embed4j.tensor.DType;
import org.embed4j.testing.CHeader;
import org.embed4j.testing.TestFiles;
import org.junit.jupiter.api.Test;

/**
 * The Java enums the backends pass to C by ordinal (BagMode, Reduction, OptimKind) and the index dtypes passed by byte
 * size, against the enums of native/include/embed4j.h: same names (after the C prefix), same values.
 */
class NativeEnumsTest {
    private static final Path HEADER = TestFiles.repoRoot().resolve("native/include/embed4j.h");

    private static <E extends Enum<E>> Map<String, Integer> byOrdinal(String prefix, Class<E> type) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            out.put(prefix + e.name(), e.ordinal());
        }
        return out;
    }

    @Test
    void bagModesMatch() throws IOException {
        assertEquals(CHeader.enumValues(HEADER, "e4j_bag_mode"), byOrdinal("E4J_BAG_", BagMode.class));
    }

    @Test
    void reductionsMatch() throws IOException {
        assertEquals(CHeader.enumValues(HEADER, "e4j_reduction"), byOrdinal("E4J_REDUCE_", Reduction.class));
    }

    @Test
    void optimizerKindsMatch() throws IOException {
        assertEquals(CHeader.enumValues(HEADER, "e4j_optim_kind"), byOrdinal("E4J_OPT_", OptimKind.class));
    }

    @Test
    void indexTypesAreTheByteSizes() throws IOException {
        assertEquals(
                Map.of("E4J_INT32", DType.I32.byteSize(), "E4J_INT64", DType.I64.byteSize()),
                CHeader.enumValues(HEADER, "e4j_index_type"));
    }
}
