package org.embed4j.cli.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of .tar.gz archives (ustar / GNU tar, regular files only), enough for the raw-text
 * corpora in shared/data: 20 Newsgroups, SpamAssassin and movie reviews. Entries are streamed in
 * archive order; a truncated archive is an {@link IOException} naming the entry.
 */
public final class TarGz {
    /** Receives each regular file of the archive. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(String name, byte[] content) throws IOException;
    }

    private static final long MAX_ENTRY_BYTES = 256L << 20; // a forged size must not allocate gigabytes

    private TarGz() {}

    /** Calls {@code consumer} for every regular file in the archive at {@code path}. */
    public static void forEach(Path path, EntryConsumer consumer) throws IOException {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(path)), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            while (true) {
                if (!readFully(in, header)) {
                    return;
                }
                if (isZeroBlock(header)) {
                    return;
                }
                String name = longName != null ? longName : headerName(header);
                longName = null;
                long size = parseOctal(header, 124, 12, path, name);
                if (size < 0 || size > MAX_ENTRY_BYTES) {
                    throw new IOException(path + ": entry " + name + " claims " + size + " bytes");
                }
                byte type = header[156];
                byte[] content = new byte[(int) size];
                if (!readFully(in, content)) {
                    throw new EOFException(path + ": truncated inside entry " + name);
                }
                skipPadding(in, size, path, name);
                if (type == 'L') { // GNU long name: the next entry's name
                    longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
                } else if (type == '0' || type == 0) {
                    consumer.accept(name, content);
                }
            }
        }
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        String prefix = cString(h, 345, 155);
        boolean ustar = cString(h, 257, 6).startsWith("ustar");
        return ustar && !prefix.isEmpty() ? prefix + "/" + name : name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] b, int off, int len, Path path, String entry) throws IOException {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                if (v > 0 || i > off) {
                    continue;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                throw new IOException(path + ": bad size field in tar entry " + entry);
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static boolean isZeroBlock(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readFully(InputStream in, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new EOFException("unexpected end of archive");
            }
            off += n;
        }
        return true;
    }

    private static void skipPadding(InputStream in, long size, Path path, String entry) throws IOException {
        long pad = (512 - size % 512) % 512;
        while (pad > 0) {
            long n = in.skip(pad);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(path + ": truncated after entry " + entry);
                }
                n = 1;
            }
            pad -= n;
        }
    }
}
