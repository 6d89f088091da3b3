package org.embed4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * Where a model file is on this JVM (driver or executor), and its checksum. A model path is resolved, in order, as
 * <ol>
 *   <li>a local file (a plain path or a {@code file:} URI): shared storage mounted on every node, or local mode;</li>
 *   <li>a file shipped to this JVM ({@code spark-submit --files}, {@code SparkContext.addFile}): its file name in
 *       the folder of the running job's session ({@code SparkFiles.get}), then in the root of the Spark files
 *       folder;</li>
 *   <li>a Hadoop file system path ({@code hdfs:}, {@code s3a:}, ...): copied once per JVM into the Spark files
 *       directory, then read from there.</li>
 * </ol>
 * The checksum is CRC-32C of the whole file, computed once per (file, size, modification time) and JVM. Thread-safe.
 */
final class ModelFiles {
    private static final Map<String, String> CHECKSUMS = new ConcurrentHashMap<>();
    private static final Object COPY_LOCK = new Object();

    private ModelFiles() {}

    /** The local file holding {@code path}'s model; a missing one is a {@link NoSuchFileException} saying where. */
    static Path local(String path) throws IOException {
        URI uri = uri(path);
        String scheme = uri.getScheme();
        if (scheme == null || scheme.equals("file")) {
            Path p = scheme == null ? Path.of(path) : Path.of(uri);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        String name = fileName(uri, path);
        List<Path> shipped = new ArrayList<>();
        if (SparkEnv.get() != null && !name.isEmpty()) {
            // the folder of the running job's session (SparkFiles.get), then the root folder, where files that came
            // with the application (spark-submit --files) land when a job of the default session fetched them
            shipped.add(Path.of(SparkFiles.get(name)).normalize());
            Path root = Path.of(SparkFiles.getRootDirectory(), name)
                    .toAbsolutePath()
                    .normalize();
            if (!root.equals(shipped.get(0))) {
                shipped.add(root);
            }
            for (Path p : shipped) {
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        if (scheme != null && !scheme.equals("file") && scheme.length() > 1) {
            return copyFromHadoop(uri, name);
        }
        throw new NoSuchFileException(
                path,
                null,
                "not a local file, and no file of that name was shipped to this JVM"
                        + (shipped.isEmpty()
                                ? ""
                                : " (looked at "
                                        + String.join(
                                                " and ",
                                                shipped.stream()
                                                        .map(Path::toString)
                                                        .toList()) + ")")
                        + "; ship it with spark-submit --files or put it on storage every node reads");
    }

    private static URI uri(String path) {
        try {
            return new URI(path);
        } catch (java.net.URISyntaxException e) {
            return Path.of(path).toAbsolutePath().toUri(); // spaces and the like: a local path
        }
    }

    private static String fileName(URI uri, String path) {
        String p = uri.getPath() != null ? uri.getPath() : path;
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }

    /** Copies a Hadoop file system file next to the shipped files, once per JVM (temporary name, then rename). */
    private static Path copyFromHadoop(URI uri, String name) throws IOException {
        Path root = SparkEnv.get() != null
                ? Path.of(SparkFiles.getRootDirectory())
                : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = root.resolve("embed4j-models")
                .resolve(Integer.toHexString(uri.toString().hashCode()));
        Path target = dir.resolve(name);
        synchronized (COPY_LOCK) {
            if (Files.isRegularFile(target)) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".part");
            FileSystem fs = FileSystem.get(uri, new Configuration());
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
    }

    /** CRC-32C of {@code file} as 8 hex digits, cached by path, size and modification time. */
    static String checksum(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        String key = file.toAbsolutePath() + "|" + a.size() + "|"
                + a.lastModifiedTime().toMillis();
        String known = CHECKSUMS.get(key);
        if (known != null) {
            return known;
        }
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) > 0) {
                crc.update(buf.flip());
            }
        }
        String sum = HexFormat.of().toHexDigits((int) crc.getValue()).toLowerCase(Locale.ROOT);
        CHECKSUMS.put(key, sum);
        return sum;
    }
}
