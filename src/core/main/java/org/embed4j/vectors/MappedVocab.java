package org.embed4j.vectors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.embed4j.internal.hash.Fnv1a;

/**
 * The vocabulary of a memory-mapped native file, read in place so that opening costs nothing per word:
 * {@code offsets} ((V+1) int64) delimit each word's UTF-8 bytes in {@code strings}; {@code table} (H int32,
 * H a power of two &gt; V) is an open-addressing hash table of rows (-1 = empty slot) keyed by the 64-bit
 * FNV-1a hash of the word's bytes, probed linearly. {@link NativeFormat} validates every offset and table
 * entry at open time, and that every word is found at its own row, so lookups cannot read outside the file and
 * every listed word can be looked up.
 *
 * <p>Immutable and thread-safe (the mapping is read-only).
 */
final class MappedVocab implements Vocab {
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int size;
    private final MemorySegment offsets;
    private final MemorySegment strings;
    private final MemorySegment table;
    private final long mask;

    MappedVocab(int size, MemorySegment offsets, MemorySegment strings, MemorySegment table) {
        this.size = size;
        this.offsets = offsets;
        this.strings = strings;
        this.table = table;
        this.mask = table.byteSize() / Integer.BYTES - 1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String word(int row) {
        long start = offsets.getAtIndex(LE_I64, row);
        long end = offsets.getAtIndex(LE_I64, row + 1L);
        return new String(strings.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public int indexOf(String word) {
        byte[] key = word.getBytes(StandardCharsets.UTF_8);
        return indexOf(key, key.length);
    }

    /** The row of the word whose UTF-8 bytes are {@code key[0, length)}, or -1. */
    int indexOf(byte[] key, int length) {
        long slot = Fnv1a.hash64(key, length) & mask;
        for (long probes = 0; probes <= mask; probes++) {
            int row = table.getAtIndex(LE_I32, slot);
            if (row < 0) {
                return -1;
            }
            if (sameBytes(row, key, length)) {
                return row;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean sameBytes(int row, byte[] key, int length) {
        long start = offsets.getAtIndex(LE_I64, row);
        long end = offsets.getAtIndex(LE_I64, row + 1L);
        if (end - start != length) {
            return false;
        }
        return MemorySegment.mismatch(strings, start, end, MemorySegment.ofArray(key), 0, length) == -1;
    }
}
