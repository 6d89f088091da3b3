package org.embed4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where the driver writes a trained model: a local (or mounted shared) path directly, with core's atomic writers
 * (temporary name, then rename); a Hadoop file system URI ({@code hdfs:}, {@code s3a:}, ...) by writing a local
 * temporary file and copying it there.
 */
final class ModelOutput {
    /** Writes a model file at a local path. */
    interface LocalWriter {
        void write(Path local) throws IOException;
    }

    private ModelOutput() {}

    static void write(String target, Configuration conf, LocalWriter writer) {
        try {
            URI uri = toUri(target);
            if (uri == null || "file".equals(uri.getScheme())) {
                Path p = uri == null ? Path.of(target) : Path.of(uri);
                if (p.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(p.toAbsolutePath().getParent());
                }
                writer.write(p);
                return;
            }
            String name = new org.apache.hadoop.fs.Path(uri).getName();
            Path dir = Files.createTempDirectory("embed4j-model");
            Path local = dir.resolve(name);
            try {
                writer.write(local);
                FileSystem fs = FileSystem.get(uri, conf);
                fs.copyFromLocalFile(
                        false, true, new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(uri));
            } finally {
                Files.deleteIfExists(local);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the model to " + target + ": " + e.getMessage(), e);
        }
    }

    /** The URI of a path with a scheme, or null for a plain local path. */
    private static URI toUri(String target) {
        try {
            URI u = new URI(target);
            return u.getScheme() == null || u.getScheme().length() < 2 ? null : u;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
