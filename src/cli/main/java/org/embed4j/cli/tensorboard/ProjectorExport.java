package org.embed4j.cli.tensorboard;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.embed4j.io.AtomicFiles;
import org.embed4j.vectors.WordVectors;

/**
 * Writes word vectors for the Embedding Projector (projector.tensorflow.org: load vectors.tsv and metadata.tsv;
 * TensorBoard: point {@code --logdir} at the folder, which has projector_config.pbtxt):
 * <pre>
 *   vectors.tsv              one row per word, D tab-separated floats, no header
 *   metadata.tsv             header "word&lt;TAB&gt;count", then one row per word in the same order
 *                            (without counts: one column, the word, and no header, as the projector expects)
 *   projector_config.pbtxt   embeddings { tensor_name, tensor_shape [N, D], tensor_path, metadata_path }
 * </pre>
 * The first {@code limit} words of the model (the most frequent, in a model trained here). Tabs and line breaks in a
 * word become spaces so that a row stays a row. Each file is written atomically. Stateless.
 */
public final class ProjectorExport {
    private ProjectorExport() {}

    /** What was written: the folder and the number of rows. */
    public record Written(Path dir, int rows, boolean counts) {}

    /**
     * Writes the three files into {@code dir} (created when missing).
     *
     * @param counts word → corpus count, or null when unknown
     * @param name   the tensor's name in the projector
     */
    public static Written write(Path dir, WordVectors vectors, int limit, Map<String, Long> counts, String name)
            throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        Files.createDirectories(dir);
        int n = Math.min(limit, vectors.size());
        int d = vectors.dim();
        List<String> words = vectors.words();
        AtomicFiles.write(dir.resolve("vectors.tsv"), out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            float[] v = new float[d];
            StringBuilder sb = new StringBuilder(d * 12);
            for (int i = 0; i < n; i++) {
                vectors.vector(i, v, 0);
                sb.setLength(0);
                for (int k = 0; k < d; k++) {
                    if (k > 0) {
                        sb.append('\t');
                    }
                    sb.append(v[k]);
                }
                w.append(sb).append('\n');
            }
            w.flush();
        });
        boolean withCounts = counts != null;
        AtomicFiles.write(dir.resolve("metadata.tsv"), out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (withCounts) {
                w.write("word\tcount\n");
            }
            for (int i = 0; i < n; i++) {
                String word = words.get(i).replaceAll("[\\t\\r\\n]", " ");
                w.write(word);
                if (withCounts) {
                    Long c = counts.get(words.get(i));
                    w.write("\t" + (c == null ? "" : c.toString()));
                }
                w.write('\n');
            }
            w.flush();
        });
        String config = String.format(
                Locale.ROOT,
                "embeddings {%n  tensor_name: \"%s\"%n  tensor_shape: %d%n  tensor_shape: %d%n"
                        + "  tensor_path: \"vectors.tsv\"%n  metadata_path: \"metadata.tsv\"%n}%n",
                name.replace("\\", "\\\\").replace("\"", "\\\""),
                n,
                d);
        AtomicFiles.write(
                dir.resolve("projector_config.pbtxt"), out -> out.write(config.getBytes(StandardCharsets.UTF_8)));
        return new Written(dir, n, withCounts);
    }
}
