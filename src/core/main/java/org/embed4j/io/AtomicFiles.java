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
 * {@link #write} takes the whole content at once; {@link #open} hands out the file for bytes that come over time.
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
        Objects.requireNonNull(writer, "writer");
        try (Pending file = open(target)) {
            writer.write(file.stream());
            file.commit();
        }
    }

    /**
     * Starts writing {@code target} atomically, for a writer that produces its bytes over time (a log): they go to a
     * temporary file in the target's folder until {@link Pending#commit()} renames it over the target; closing
     * without a commit deletes it. Creates missing parent folders.
     */
    public static Pending open(Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        Path absolute = throughLinks(target.toAbsolutePath());
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new IOException("cannot write " + target + ": it has no parent folder");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot write " + target + ": it is a directory");
        }
        Files.createDirectories(dir);
        // A hidden name in the same folder: the rename stays on one file system.
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        TempFiles.track(tmp);
        try {
            return new Pending(absolute, tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            TempFiles.done(tmp);
            throw e;
        }
    }

    /**
     * A file being written: {@link #stream()} writes the temporary file, {@link #commit()} forces it to disk and
     * renames it over the target, {@link #close()} deletes it unless it was committed. Not thread-safe.
     */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final BufferedOutputStream out;
        private boolean done;

        private Pending(Path target, Path tmp) throws IOException {
            this.target = target;
            this.tmp = tmp;
            this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            this.out = new BufferedOutputStream(new NonClosing(Channels.newOutputStream(channel)), 1 << 16);
        }

        /** The bytes of the file; buffered; closing it only flushes. */
        public OutputStream stream() {
            return out;
        }

        /** The temporary file the bytes go to until the commit. */
        public Path temporaryFile() {
            return tmp;
        }

        /** Forces the bytes to disk and renames the temporary file over the target. */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException(target + " is already committed");
            }
            out.flush();
            // Data on disk before the rename makes it visible: a crash never leaves a renamed, empty file.
            channel.force(true);
            channel.close();
            applyPermissions(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(target.getParent());
        }

        /** Deletes the temporary file unless {@link #commit()} renamed it; the old target stays as it was. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(tmp);
                }
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
