package org.embed4j.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.spark.SparkEnv;
import org.embed4j.classify.TextClassifier;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * The models an executor JVM has open, one per (kind, local file, checksum): a file is opened (memory-mapped, for
 * the native vectors format and classifiers) by the first task that needs it and shared by every later task of every
 * job, and so is what is built on it (a text embedder, SIF weights). A file at the same path with another checksum
 * replaces the old entry. Before the first model opens, the task's Spark GPU assignment is applied
 * ({@link GpuAssignment}). Failures become a {@link ModelLoadException} naming the file, the executor and the reason.
 * Thread-safe.
 */
final class ModelCache {
    private static final Map<String, Entry> OPEN = new ConcurrentHashMap<>();

    private record Entry(String checksum, Object value) {}

    private ModelCache() {}

    static WordVectors vectors(ModelRef ref) {
        return get(ref, "vectors", VectorsIO::read);
    }

    static TextClassifier classifier(ModelRef ref) {
        return get(ref, "classifier", TextClassifier::load);
    }

    /** Something built once per model and {@code what} (e.g. "sif:0.001"), from its vectors. */
    static <T> T derived(ModelRef ref, String what, Function<WordVectors, T> build) {
        WordVectors v = vectors(ref);
        return get(ref, "vectors+" + what, p -> build.apply(v));
    }

    /** Opens what {@code ref} names, as {@code kind}, once per JVM. */
    interface Loader<T> {
        T load(Path local) throws IOException;
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(ModelRef ref, String kind, Loader<T> loader) {
        Path local;
        String sum;
        try {
            local = ModelFiles.local(ref.path());
            sum = ModelFiles.checksum(local);
        } catch (IOException | RuntimeException e) {
            throw failure(ref, kind, "cannot find or read it: " + e.getMessage(), e);
        }
        if (ref.checksum() != null && !ref.checksum().equals(sum)) {
            throw failure(
                    ref,
                    kind,
                    "its local copy " + local + " has CRC-32C " + sum + " but the driver's has " + ref.checksum()
                            + ": the executors see another (or a damaged) file; ship it again or fix the shared copy",
                    null);
        }
        String key = kind + "|" + local.toAbsolutePath();
        Entry e = OPEN.get(key);
        if (e != null && e.checksum().equals(sum)) {
            return (T) e.value();
        }
        synchronized (ModelCache.class) {
            e = OPEN.get(key);
            if (e != null && e.checksum().equals(sum)) {
                return (T) e.value();
            }
            GpuAssignment.apply();
            T value;
            try {
                value = loader.load(local);
            } catch (ModelLoadException ex) {
                throw ex;
            } catch (IOException | RuntimeException ex) {
                throw failure(ref, kind, "cannot open it: " + ex.getMessage(), ex);
            }
            OPEN.put(key, new Entry(sum, value));
            return value;
        }
    }

    private static ModelLoadException failure(ModelRef ref, String kind, String why, Throwable cause) {
        SparkEnv env = SparkEnv.get();
        String where = env == null ? "this JVM" : "executor " + env.executorId();
        return new ModelLoadException(
                "embed4j: the " + kind + " model '" + ref.path() + "' on " + where + ": " + why, cause);
    }
}
