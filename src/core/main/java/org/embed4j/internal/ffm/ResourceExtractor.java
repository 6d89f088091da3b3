package org.embed4j.internal.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies a native library resource out of the jar into a cache folder (zstd-jni / lz4-java style), so that
 * dlopen can map it: once per version and content. Used when javacpp's Loader.cacheResource is unavailable
 * or fails.
 *
 * <p>Two JVMs racing are kept apart by a {@link FileLock} on {@code <dir>/.lock}; threads of one JVM by a
 * {@link ReentrantLock} (a FileLock is per JVM). The file is written under a temporary name and renamed, so a
 * reader never maps a half-written library, and a library another process has mapped is replaced, never
 * overwritten in place. An existing file with the same bytes is kept. Thread-safe.
 */
final class ResourceExtractor {
    private static final ReentrantLock IN_JVM = new ReentrantLock();

    /** Where a resource ended up and whether this call wrote it (false: an identical copy was there). */
    record Extracted(Path path, boolean written) {}

    private ResourceExtractor() {}

    /** The default cache folder for one version: ~/.cache/embed4j/&lt;version&gt; ($XDG_CACHE_HOME honoured). */
    static Path defaultDir(String version) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("embed4j").resolve(version);
    }

    /** Extracts {@code resource} to {@code dir/fileName} unless an identical file is already there. */
    @SuppressWarnings("try") // the FileLock is held for the try block's duration, never referenced
    static Extracted extract(URL resource, Path dir, String fileName) throws IOException {
        byte[] bytes;
        try (InputStream in = resource.openStream()) {
            bytes = in.readAllBytes();
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName);
        IN_JVM.lock();
        try (FileChannel lockChannel =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockChannel.lock()) {
            if (Files.isRegularFile(target)
                    && Files.size(target) == bytes.length
                    && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return new Extracted(target, false);
            }
            Path tmp = Files.createTempFile(dir, fileName + ".", ".tmp");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return new Extracted(target, true);
        } finally {
            IN_JVM.unlock();
        }
    }
}
