package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One model the service answers from, its health and its file. Readiness and the 503s of the endpoints come
 * from here.
 *
 * <p><b>Health.</b> A model that produced a NaN or an infinity where a response needs a number (NaN weights, say)
 * is marked unhealthy, for good: its endpoints answer 503 {@code model_unhealthy} and readiness says why. A
 * probe at start ({@link ModelProbe}) finds the common case before the first request.
 *
 * <p><b>File.</b> Models are memory-mapped, so the file on disk <i>is</i> the model. Replacing it by rename
 * (write a new file, then {@code mv} it over the old name) is safe: this process keeps the old file's pages, and
 * the state says {@link FileState#REPLACED} (restart to load the new one). Writing into the file in place is
 * not: the bytes change under running requests, and a file cut shorter than its mapping faults when read —
 * in Java code an {@link InternalError}, in native code (the top-k kernel) a SIGBUS that kills the JVM.
 * So for a model whose mapped memory native code reads (the vectors: the top-k kernel), {@link #guard} compares
 * the size of the open file (one {@code fstat}) with the size at start before every request, and refuses with
 * 503 {@code model_file_changed} when it differs. A model read by Java code only (the classifiers) skips that:
 * a fault there is an {@code InternalError} that the handler turns into the same 503 ({@link #faulted}). A
 * watcher ({@link #check}, every
 * {@link ServeOptions#modelCheckInterval()}) also compares the path's identity and modification time, and marks
 * a file rewritten in place with the same size. A file that changed in place stays refused until a restart.
 * What remains is a kernel call already running when the file is cut, which only a file truncated at that very
 * moment hits: replace by rename.
 *
 * <p>Thread-safe: the state is volatile and only ever moves towards "refused".
 */
final class ServedModel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServedModel.class.getName());

    /** What became of the model's file since it was loaded. */
    enum FileState {
        /** No file to watch (a model built in memory). */
        NONE(true),
        UNCHANGED(true),
        /** The path names another file now (replaced by rename); the loaded one is intact. */
        REPLACED(true),
        /** The path is gone; the loaded file lives on until the process ends. */
        REMOVED(true),
        /** Written in place: the mapped bytes are not the loaded model any more. */
        MODIFIED(false),
        /** Cut shorter in place: reading the cut part faults. */
        TRUNCATED(false);

        final boolean servable;

        FileState(boolean servable) {
            this.servable = servable;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String kind;
    private final Map<String, Object> sizes;
    private final Path file;
    private final FileChannel channel; // the loaded file, held open so that its size can be read without a path
    private final long size;
    private final Object fileKey;
    private final FileTime modified;
    private volatile FileState state;
    private volatile String unhealthy;
    private final boolean nativeReads;

    /**
     * @param kind  "vectors", "classifier": the name in /healthz, /readyz and the metrics
     * @param sizes what /healthz and embed4j_model_info say about it
     * @param file  the file it was loaded from, to be watched, or null
     * @param nativeReads whether native code reads the model's mapped memory (then its size is checked per request)
     */
    ServedModel(String kind, Map<String, Object> sizes, Path file, boolean nativeReads) throws IOException {
        this.kind = Objects.requireNonNull(kind);
        this.nativeReads = nativeReads;
        this.sizes = new LinkedHashMap<>(sizes);
        this.file = file;
        if (file == null) {
            channel = null;
            size = -1;
            fileKey = null;
            modified = null;
            state = FileState.NONE;
        } else {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            size = channel.size();
            fileKey = a.fileKey();
            modified = a.lastModifiedTime();
            state = FileState.UNCHANGED;
        }
    }

    String kind() {
        return kind;
    }

    Map<String, Object> sizes() {
        return sizes;
    }

    FileState fileState() {
        return state;
    }

    /** Why the model is unhealthy, or null. */
    String unhealthy() {
        return unhealthy;
    }

    boolean ready() {
        return unhealthy == null && state.servable;
    }

    /** Throws the 503 of a model that must not be used, after checking that its file still has its size. */
    void guard() {
        if (unhealthy != null) {
            throw unavailable("model_unhealthy", "the " + kind + " model is unhealthy: " + unhealthy);
        }
        if (nativeReads && channel != null && state.servable) {
            checkSize();
        }
        if (!state.servable) {
            throw unavailable(
                    "model_file_changed",
                    "the " + kind + " model's file was " + state.label() + " in place while being served; "
                            + "restart the server (replace model files by rename, never in place)");
        }
    }

    /** Marks the model unhealthy for good (NaN output, say) and logs it once. */
    void markUnhealthy(String reason) {
        if (unhealthy == null) {
            unhealthy = reason;
            LOG.log(Level.ERROR, "the " + kind + " model is unhealthy, its requests now get 503: " + reason);
        }
    }

    /**
     * A read of the mapped file faulted ({@link InternalError} from the JDK): the file must have been cut.
     * Checks it and makes sure the model is refused from now on.
     */
    void faulted() {
        check();
        if (state.servable) {
            moveTo(channel == null ? FileState.MODIFIED : FileState.TRUNCATED);
        }
    }

    /** The watcher's look at the file: identity, size and modification time. */
    void check() {
        if (channel == null || !state.servable) {
            return;
        }
        checkSize();
        if (!state.servable) {
            return;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!Objects.equals(a.fileKey(), fileKey)) {
                moveTo(FileState.REPLACED);
            } else if (!a.lastModifiedTime().equals(modified)) {
                moveTo(FileState.MODIFIED);
            }
        } catch (NoSuchFileException e) {
            moveTo(FileState.REMOVED);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot check " + file + ": " + e.getMessage());
        }
    }

    private void checkSize() {
        try {
            long now = channel.size();
            if (now != size) {
                moveTo(now < size ? FileState.TRUNCATED : FileState.MODIFIED);
            }
        } catch (IOException e) {
            moveTo(FileState.MODIFIED);
        }
    }

    private synchronized void moveTo(FileState next) {
        FileState was = state;
        // never back from refused to servable, and only once from servable to another servable state
        if (was == next || !was.servable || (next.servable && was != FileState.UNCHANGED)) {
            return;
        }
        state = next;
        LOG.log(
                next.servable ? Level.WARNING : Level.ERROR,
                "the " + kind + " model's file " + file + " was " + next.label()
                        + (next.servable
                                ? "; still serving the loaded version (restart to load the new file)"
                                : "; its requests now get 503 (restart the server)"));
    }

    /** The model's entry in /healthz and /readyz. */
    void describe(JsonOut out) {
        out.raw('{').name("ready").bool(ready());
        for (Map.Entry<String, Object> e : sizes.entrySet()) {
            out.raw(',').name(e.getKey());
            if (e.getValue() instanceof Number n) {
                out.number(n.longValue());
            } else if (e.getValue() instanceof Boolean b) {
                out.bool(b);
            } else {
                out.string(String.valueOf(e.getValue()));
            }
        }
        out.raw(',').name("file").string(state.label());
        if (unhealthy != null) {
            out.raw(',').name("unhealthy").string(unhealthy);
        }
        out.raw('}');
    }

    private static ApiException unavailable(String code, String message) {
        return new ApiException(503, code, message);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "closing " + file + ": " + e);
            }
        }
    }
}
