package org.embed4j.vectors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.embed4j.io.Utf8;

/**
 * Helpers shared by the file formats: the error every reader throws for a corrupt or truncated file
 * (naming the file and the byte offset), strict decoding of a word, the bound on the dimension, the check that a
 * word can be written in a whitespace-delimited format, and off-heap allocation of a matrix whose size was already
 * checked against the file size. The rule for the values of a row is {@link RowCheck}'s.
 * Stateless and thread-safe.
 */
final class FormatSupport {
    /**
     * The widest vectors a reader accepts (2^20). Real embeddings have at most a few thousand dimensions; the bound
     * keeps a header that declares no rows from announcing a dimension no query buffer could be allocated for.
     */
    static final long MAX_DIM = 1 << 20;

    private FormatSupport() {}

    /**
     * Word {@code row}, whose UTF-8 bytes b[off, off+len) start at byte {@code offset} of {@code file}, decoded
     * strictly: every format refuses a word that is not valid UTF-8 (it could never be looked up as written).
     */
    static String word(Path file, long offset, long row, byte[] b, int off, int len) throws IOException {
        String w = Utf8.decode(b, off, len);
        if (w == null) {
            throw corrupt(
                    file,
                    offset + Utf8.firstInvalid(b, off, len),
                    "word " + row + " is not valid UTF-8 (bytes " + Utf8.describe(b, off, len) + ")");
        }
        return w;
    }

    /** "corrupt vectors file F at byte offset N: message". */
    static IOException corrupt(Path file, long offset, String message) {
        return new IOException("corrupt vectors file " + file + " at byte offset " + offset + ": " + message);
    }

    /** {@link #checkWord} for every word of {@code v}, for the formats that separate fields by whitespace. */
    static void checkWords(WordVectors v) {
        for (int i = 0; i < v.size(); i++) {
            checkWord(v.vocab().word(i), i, false);
        }
    }

    /**
     * Words of text and word2vec formats are delimited by whitespace, so a word must be non-empty and contain
     * none; the vocabulary file of safetensors forbids only line breaks ({@code lineOnly}).
     */
    static void checkWord(String word, int row, boolean lineOnly) {
        if (word.isEmpty()) {
            throw new IllegalArgumentException("word at row " + row + " is empty and cannot be written");
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            boolean bad = lineOnly
                    ? c == '\n' || c == '\r'
                    : c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
            if (bad) {
                throw new IllegalArgumentException("word '" + word + "' at row " + row
                        + " contains a whitespace character (code " + (int) c + ") that this format cannot store");
            }
        }
    }

    /**
     * A zeroed off-heap (rows,dim) float matrix in {@code arena} (the vectors' scope). Callers have checked rows×dim
     * against the file size, so a forged header can never ask for more than the file holds.
     */
    static MemorySegment allocateMatrix(Arena arena, long rows, long dim) {
        long bytes = Math.multiplyExact(Math.multiplyExact(rows, dim), (long) Float.BYTES);
        return arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
    }
}
