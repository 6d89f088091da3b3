package org.embed4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a file so that readers see either the old complete file or the new complete file, never a
 * half-written one: the bytes go to a temporary file in the target's folder (same file system, so the
 * rename is atomic), are forced to disk, and the temporary file is then renamed over the target.
 * If the writer throws, the temporary file is deleted and the old target is left untouched; if the JVM exits
 * first (Ctrl-C), {@link TempFiles} deletes it. A target that is a symbolic link is written through: the file the
 * link leads to is replaced and the link stays.
 *
 * <p>Thread-safe: every call uses its own temporary file. Two concurrent writers of one target both
 * succeed and the last rename wins.
 */
public final class AtomicFiles {

    /** Produces the file's bytes; {@code out} is buffered and must not be closed by the writer. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Writes {@code target} atomically with the bytes {@code writer} produces; creates missing parent folders. */
    public static void write(Path target, Writer writer) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(writer, "writer");
        Path absolute = throughLinks(target.toAbsolutePath());
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new IOException("cannot write " + target + ": it has no parent folder");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot write " + target + ": it is a directory");
        }
        Files.createDirectories(dir);
        // A hidden name in the same folder: the rename below stays on one file system.
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        TempFiles.track(tmp);
        boolean done = false;
        try {
            try (FileChannel channel =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream raw = Channels.newOutputStream(channel);
                BufferedOutputStream out = new BufferedOutputStream(new NonClosing(raw), 1 << 16);
                writer.write(out);
                out.flush();
                // Data on disk before the rename makes it visible: a crash never leaves a renamed, empty file.
                channel.force(true);
            }
            applyPermissions(tmp, absolute);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
            TempFiles.done(tmp);
        }
    }

    /**
     * The file a write of {@code path} must replace: {@code path} itself, or the file its symbolic links lead to (the
     * rename replaces that file, so the link keeps pointing at the new content), which may not exist yet.
     */
    static Path throughLinks(Path path) throws IOException {
        Path p = path;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new IOException("cannot write " + path + ": too many levels of symbolic links");
            }
            Path parent = p.getParent();
            Path link = Files.readSymbolicLink(p);
            p = (parent == null ? link : parent.resolve(link)).normalize();
        }
        return p;
    }

    /**
     * createTempFile makes the file private (0600); a model or vectors file is meant to be shared like any
     * other output, so it gets the old target's permissions, or rw-r--r-- for a new file.
     */
    private static void applyPermissions(Path tmp, Path target) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                    ? Files.getPosixFilePermissions(target)
                    : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: keep what the platform gave the file.
        }
    }

    /** Makes the rename itself durable where the platform allows it; failure here is harmless. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Some file systems refuse to open or sync folders; the file itself is already complete.
        }
    }

    /** Keeps a writer that closes its stream from closing the channel before it is forced. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
