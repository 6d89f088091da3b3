package org.embed4j.vectors;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.embed4j.internal.scope.ModelScope;

/**
 * Reads and writes {@link WordVectors} in every {@link VectorsFormat}. Writes are atomic (a temporary file
 * renamed over the target). Reading a corrupt or truncated file is an {@link IOException} naming the file
 * and the byte offset; a forged header is checked against the file size before anything is allocated.
 * {@link VectorsFormat#NATIVE} files are memory-mapped, not read.
 *
 * <p>Stateless and thread-safe.
 */
public final class VectorsIO {
    private static final System.Logger LOG = System.getLogger(VectorsIO.class.getName());

    private VectorsIO() {}

    /** Writes {@code vectors} to {@code path} in {@code format} (safetensors also writes {@code path.vocab.txt}). */
    public static void write(WordVectors vectors, Path path, VectorsFormat format) throws IOException {
        Objects.requireNonNull(vectors, "vectors");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        if (vectors.hasSubwords() && format != VectorsFormat.NATIVE && format != VectorsFormat.SAFETENSORS) {
            LOG.log(
                    Level.INFO,
                    "{0} keeps only the word vectors: the subword rows of {1} are not saved",
                    format,
                    vectors);
        }
        vectors.scope().enter();
        try {
            vectors.checkAllRows();
            switch (format) {
                case WORD2VEC_TEXT, FASTTEXT_VEC -> TextFormat.write(vectors, path, true);
                case GLOVE -> TextFormat.write(vectors, path, false);
                case WORD2VEC_BINARY -> BinaryFormat.write(vectors, path);
                case SAFETENSORS -> SafetensorsFormat.write(vectors, path);
                case NATIVE -> NativeFormat.write(vectors, path);
            }
        } finally {
            vectors.scope().exit();
        }
    }

    /**
     * Reads {@code path} in {@code format}. The vectors own their memory (the mapping of a native file): close them
     * to free it at once (see {@link WordVectors#close()}).
     */
    public static WordVectors read(Path path, VectorsFormat format) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        long start = System.nanoTime();
        ModelScope scope = ModelScope.open("word vectors " + path);
        WordVectors v;
        try {
            v = switch (format) {
                case WORD2VEC_TEXT, FASTTEXT_VEC -> TextFormat.read(path, true, scope);
                case GLOVE -> TextFormat.read(path, false, scope);
                case WORD2VEC_BINARY -> BinaryFormat.read(path, scope);
                case SAFETENSORS -> SafetensorsFormat.read(path, scope);
                case NATIVE -> NativeFormat.read(path, scope);
            };
        } catch (IOException | RuntimeException | Error e) {
            scope.close();
            throw e;
        }
        LOG.log(
                Level.DEBUG,
                () -> "read " + v + " from " + path + " (" + format + ") in " + (System.nanoTime() - start) / 1_000_000
                        + " ms");
        return v;
    }

    /** Reads {@code path} in the format {@link #detect} finds. */
    public static WordVectors read(Path path) throws IOException {
        return read(path, detect(path));
    }

    /**
     * The format of {@code path}: by magic number ("E4JV", a safetensors JSON header), else by extension
     * (.e4jv, .safetensors, .bin, .vec, .glove.txt, .txt), else by content (a {@code "V D"} header line
     * followed by binary or text rows; text without a header is GloVe). A {@code .txt} file without a
     * {@code "V D"} header is GloVe (as glove.6B.*.txt are).
     */
    public static VectorsFormat detect(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        byte[] head = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'E' && head[1] == '4' && head[2] == 'J' && head[3] == 'V') {
            return VectorsFormat.NATIVE;
        }
        if (n >= 9) {
            long headerLen =
                    ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen > 1 && headerLen < 100_000_000L && head[8] == '{') {
                return VectorsFormat.SAFETENSORS;
            }
        }
        boolean header = hasCountHeader(head, n);
        Optional<VectorsFormat> byName = byExtension(path);
        if (byName.isPresent()) {
            VectorsFormat f = byName.get();
            return f == VectorsFormat.WORD2VEC_TEXT && !header ? VectorsFormat.GLOVE : f;
        }
        if (!header) {
            return VectorsFormat.GLOVE;
        }
        return looksBinary(head, n) ? VectorsFormat.WORD2VEC_BINARY : VectorsFormat.WORD2VEC_TEXT;
    }

    /**
     * The format a file name implies: .e4jv native, .safetensors, .bin word2vec binary, .vec fastText,
     * .glove.txt GloVe, .txt word2vec text (case-insensitive); empty for any other name.
     */
    public static Optional<VectorsFormat> byExtension(Path path) {
        Path fileName = Objects.requireNonNull(path, "path").getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".e4jv")) {
            return Optional.of(VectorsFormat.NATIVE);
        } else if (name.endsWith(".safetensors")) {
            return Optional.of(VectorsFormat.SAFETENSORS);
        } else if (name.endsWith(".bin")) {
            return Optional.of(VectorsFormat.WORD2VEC_BINARY);
        } else if (name.endsWith(".vec")) {
            return Optional.of(VectorsFormat.FASTTEXT_VEC);
        } else if (name.endsWith(".glove.txt")) {
            return Optional.of(VectorsFormat.GLOVE);
        } else if (name.endsWith(".txt")) {
            return Optional.of(VectorsFormat.WORD2VEC_TEXT);
        }
        return Optional.empty();
    }

    /** Whether the first line is "V D" (two non-negative integers). */
    private static boolean hasCountHeader(byte[] head, int n) {
        int end = 0;
        while (end < n && head[end] != '\n') {
            end++;
        }
        if (end == n) {
            return false;
        }
        String first = new String(head, 0, end, StandardCharsets.US_ASCII).trim();
        return first.matches("\\d+[ \t]+\\d+");
    }

    /** A control byte other than whitespace after the header means raw floats. */
    private static boolean looksBinary(byte[] head, int n) {
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t') {
                return true;
            }
        }
        return false;
    }
}
