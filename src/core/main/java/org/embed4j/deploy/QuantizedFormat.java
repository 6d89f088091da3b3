package org.embed4j.deploy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.SectionReader;
import org.embed4j.io.SectionWriter;
import org.embed4j.io.Snippet;
import org.embed4j.text.Subwords;

/**
 * The quantized vectors file (.e4jq), memory-mapped on open so that the rows are shared with the page cache.
 * Little-endian throughout:
 * <pre>
 *   header, 128 bytes
 *     0 "E4JQ"   4 i32 version (2)   8 i32 precision (1 int8, 2 fp16)   12 i32 header size (128)
 *    16 i64 V    24 i64 D
 *    32 i64 data offset       (V,D) int8 or fp16, 64-byte aligned
 *    40 i64 scales offset     (V) f32 per-row scales, 64-byte aligned (int8 only; 0 for fp16)
 *    48 i64 norms offset      (V) f32 norms of the dequantized rows, 64-byte aligned
 *    56 i64 word offsets      (V+1) i64: word v is strings[off[v], off[v+1]), off[0] = 0
 *    64 i64 strings offset    UTF-8 bytes of the words, back to back
 *    72 i64 file size
 *   version 2, subwords (all zero when there are none):
 *    80 i32 minn   84 i32 maxn
 *    88 i64 B, the subword bucket rows
 *    96 i64 bucket data offset    (B,D) int8 or fp16, 64-byte aligned, after the norms
 *   104 i64 bucket scales offset  (B) f32, 64-byte aligned (int8 only; 0 for fp16)
 *   112..127 zero
 *   sections follow in the order data, scales, norms, bucket data, bucket scales, word offsets, strings,
 *   without overlap.
 * </pre>
 * Version 1 is version 2 without subwords (bytes 80..127 zero), so it is read by the same code; files are written
 * as version 2.
 * Opening checks the header, each section against the file size, every word offset, the UTF-8 and uniqueness
 * of every word, every scale and norm (finite, &gt;= 0) and, for fp16, every element (finite) before anything
 * sized by the header is allocated; a truncated, corrupt or forged file is an {@link IOException} naming the
 * file and the byte offset, a newer version is refused by number (the checks shared with the .e4jv format are
 * {@link SectionReader}'s). Writing is atomic ({@link AtomicFiles}) and deterministic. The vocabulary is decoded
 * into a hash map on open (O(V)). Stateless and thread-safe.
 */
final class QuantizedFormat {
    static final int VERSION = 2;
    static final byte[] MAGIC = {'E', '4', 'J', 'Q'};
    static final int HEADER_BYTES = 128;
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private QuantizedFormat() {}

    // ------------------------------------------------------------------ write

    static void write(QuantizedVectors q, Path path) throws IOException {
        int rows = q.size();
        long dim = q.dim();
        SectionWriter.Words words = SectionWriter.Words.encode(rows, q.words()::get);
        MemorySegment data = q.data();
        MemorySegment scales = q.scales();
        Subwords sub = q.subwords();
        QuantizedMatrix buckets = q.buckets();
        long dataOff = HEADER_BYTES;
        long scalesOff = scales == null ? 0 : SectionWriter.align(dataOff + data.byteSize());
        long normsOff = SectionWriter.align(scales == null ? dataOff + data.byteSize() : scalesOff + scales.byteSize());
        long end = normsOff + q.norms().byteSize();
        long bucketDataOff = 0;
        long bucketScalesOff = 0;
        if (buckets != null) {
            bucketDataOff = SectionWriter.align(end);
            end = bucketDataOff + buckets.data().byteSize();
            if (buckets.scales() != null) {
                bucketScalesOff = SectionWriter.align(end);
                end = bucketScalesOff + buckets.scales().byteSize();
            }
        }
        long offsetsOff = SectionWriter.align(end);
        long stringsOff = offsetsOff + words.offsetBytes();
        long fileSize = stringsOff + words.stringBytes();

        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(q.precision().code()).putInt(HEADER_BYTES);
        h.putLong(rows)
                .putLong(dim)
                .putLong(dataOff)
                .putLong(scalesOff)
                .putLong(normsOff)
                .putLong(offsetsOff)
                .putLong(stringsOff)
                .putLong(fileSize);
        if (sub != null) {
            h.putInt(sub.minn())
                    .putInt(sub.maxn())
                    .putLong(sub.bucket())
                    .putLong(bucketDataOff)
                    .putLong(bucketScalesOff);
        }
        long bucketsAt = bucketDataOff;
        long bucketScalesAt = bucketScalesOff;
        AtomicFiles.write(path, out -> {
            SectionWriter pos = new SectionWriter(out);
            pos.write(h.array());
            pos.segment(data);
            if (scales != null) {
                pos.padTo(scalesOff);
                pos.segment(scales);
            }
            pos.padTo(normsOff);
            pos.segment(q.norms());
            if (buckets != null) {
                pos.padTo(bucketsAt);
                pos.segment(buckets.data());
                if (buckets.scales() != null) {
                    pos.padTo(bucketScalesAt);
                    pos.segment(buckets.scales());
                }
            }
            pos.padTo(offsetsOff);
            pos.words(words);
            pos.checkSize(fileSize, "quantized vectors");
        });
    }

    /** word -&gt; row; a repeated word is an error (rows would be unreachable). */
    static Map<String, Integer> indexOf(List<String> words) {
        Map<String, Integer> index = HashMap.newHashMap(words.size());
        for (int i = 0; i < words.size(); i++) {
            Integer prev = index.putIfAbsent(words.get(i), i);
            if (prev != null) {
                throw new IllegalArgumentException(
                        "word '" + Snippet.of(words.get(i)) + "' appears at rows " + prev + " and " + i);
            }
        }
        return index;
    }

    // ------------------------------------------------------------------ read

    /** Maps {@code path} into the scope's arena; the returned vectors read the file in place. */
    static QuantizedVectors read(Path path, ModelScope scope) throws IOException {
        SectionReader f = SectionReader.map(path, "quantized vectors", HEADER_BYTES, scope.arena());
        int version = f.checkHeader(MAGIC, VERSION, HEADER_BYTES, 72);
        Precision precision = Precision.ofCode(f.i32(8));
        if (precision == null) {
            throw f.corrupt(8, "unknown precision code " + f.i32(8) + " (1 int8, 2 fp16)");
        }
        long rows = f.i64(16);
        long dim = f.i64(24);
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw f.corrupt(16, "impossible word count " + rows);
        }
        if (dim <= 0 || dim > Integer.MAX_VALUE / 4) {
            throw f.corrupt(24, "impossible dimension " + dim);
        }
        Subwords sub = subwords(f, version);
        MemorySegment data = f.next(32, Math.multiplyExact(rows * dim, (long) precision.bytesPerElement()), true);
        MemorySegment scales = precision == Precision.INT8 ? f.next(40, rows * 4, true) : null;
        noSection(f, precision != Precision.INT8, 40, "an fp16 file has no scales section");
        MemorySegment norms = f.next(48, rows * 4, true);
        MemorySegment bucketData = null;
        MemorySegment bucketScales = null;
        if (sub != null) {
            bucketData = f.next(96, Math.multiplyExact(sub.bucket() * dim, (long) precision.bytesPerElement()), true);
            bucketScales = precision == Precision.INT8 ? f.next(104, sub.bucket() * 4L, true) : null;
        }
        noSection(f, sub == null, 96, "a file without subwords has no bucket rows");
        noSection(f, sub == null || precision != Precision.INT8, 104, "only int8 subword rows have scales");
        MemorySegment offsets = f.next(56, (rows + 1) * 8, false);
        long stringBytes = offsets.getAtIndex(LE_I64, rows);
        MemorySegment strings = f.next(64, stringBytes, false);
        long size = f.file().byteSize();
        if (f.end() != size) {
            throw f.corrupt(f.end(), "the last section ends at " + f.end() + " but the file has " + size + " bytes");
        }
        checkFloats(f, f.i64(40), scales, "scale");
        checkFloats(f, f.i64(48), norms, "norm");
        checkFloats(f, f.i64(104), bucketScales, "subword scale");
        if (precision == Precision.FP16) {
            checkHalves(f, f.i64(32), data);
            if (bucketData != null) {
                checkHalves(f, f.i64(96), bucketData);
            }
        }
        f.checkWordOffsets(f.i64(56), offsets, rows, stringBytes);
        List<String> words = decodeWords(f, f.i64(64), offsets, strings, (int) rows);
        Map<String, Integer> index;
        try {
            index = indexOf(words);
        } catch (IllegalArgumentException e) {
            throw f.corrupt(f.i64(64), e.getMessage());
        }
        QuantizedMatrix matrix = new QuantizedMatrix((int) dim, precision, data, scales);
        QuantizedMatrix buckets =
                sub == null ? null : new QuantizedMatrix((int) dim, precision, bucketData, bucketScales);
        return new QuantizedVectors(path, scope, words, index, (int) dim, precision, matrix, norms, sub, buckets);
    }

    /** The subword settings of bytes 80..95 (version 2), or null when there are none; 112..127 must be zero. */
    private static Subwords subwords(SectionReader f, int version) throws IOException {
        for (long at = version == 1 ? 80 : 112; at < HEADER_BYTES; at += 8) {
            if (f.i64(at) != 0) {
                throw f.corrupt(at, "reserved header bytes are not zero in a version " + version + " file");
            }
        }
        if (version == 1) {
            return null;
        }
        int minn = f.i32(80);
        int maxn = f.i32(84);
        long bucket = f.i64(88);
        if (bucket == 0) {
            if (minn != 0 || maxn != 0) {
                throw f.corrupt(80, "minn " + minn + " and maxn " + maxn + " without subword rows");
            }
            return null;
        }
        if (bucket < 0 || bucket > Integer.MAX_VALUE - 8) {
            throw f.corrupt(88, "impossible subword bucket count " + bucket);
        }
        if (maxn <= 0) {
            throw f.corrupt(84, "maxn " + maxn + " with " + bucket + " subword rows (subwords need maxn > 0)");
        }
        try {
            return new Subwords(minn, maxn, (int) bucket);
        } catch (IllegalArgumentException e) {
            throw f.corrupt(80, e.getMessage());
        }
    }

    /** Header field {@code field} must be 0 when {@code absent}: the section it would point at does not exist. */
    private static void noSection(SectionReader f, boolean absent, long field, String why) throws IOException {
        if (absent && f.i64(field) != 0) {
            throw f.corrupt(field, why + ", found offset " + f.i64(field));
        }
    }

    private static List<String> decodeWords(
            SectionReader f, long at, MemorySegment offsets, MemorySegment strings, int rows) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> words = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            long start = offsets.getAtIndex(LE_I64, i);
            long end = offsets.getAtIndex(LE_I64, i + 1L);
            if (end - start > Integer.MAX_VALUE - 8) {
                throw f.corrupt(at + start, "word " + i + " is " + (end - start) + " bytes long");
            }
            try {
                CharBuffer chars =
                        utf8.decode(strings.asSlice(start, end - start).asByteBuffer());
                words.add(chars.toString());
            } catch (CharacterCodingException e) {
                throw f.corrupt(at + start, "word " + i + " is not valid UTF-8");
            }
        }
        return words;
    }

    private static void checkFloats(SectionReader f, long at, MemorySegment values, String what) throws IOException {
        if (values == null) {
            return;
        }
        long n = values.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            float x = values.getAtIndex(QuantizedVectors.LE_F32, i);
            if (!(x >= 0f) || Float.isInfinite(x)) {
                throw f.corrupt(at + i * 4, what + " of row " + i + " is " + x + ", not a finite value >= 0");
            }
        }
    }

    private static void checkHalves(SectionReader f, long at, MemorySegment data) throws IOException {
        long n = data.byteSize() / 2;
        for (long i = 0; i < n; i++) {
            short h = data.getAtIndex(QuantizedVectors.LE_I16, i);
            if ((h & 0x7c00) == 0x7c00) { // exponent all ones: infinity or NaN
                throw f.corrupt(at + i * 2, "fp16 element " + i + " is not finite");
            }
        }
    }
}
