package org.embed4j.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.embed4j.internal.ffm.NativeLibrary;

/**
 * Chooses the backend (Lucene-provider style): {@link #auto()} is CUDA when its library loads and a device
 * answers, else the native CPU backend when libembed4j loads and the CPU has AVX2+FMA, else the Java reference.
 * {@code -Dembed4j.backend=auto|cuda|cpu|java} overrides what {@link #auto()} returns; a forced backend that
 * cannot run is an {@link IllegalStateException} saying why, never a silent fallback. One INFO log line tells
 * what {@link #auto()} chose and why the others were skipped.
 *
 * <p>Each backend is created at most once, on first use (lazy holders), and a failure is remembered with its
 * reason. Every returned backend is wrapped in {@code CheckedBackend}, which validates shapes before the
 * implementation runs. Thread-safe.
 */
public final class Backends {
    /** System property choosing the default backend: auto (the default), cuda, cpu or java. */
    public static final String BACKEND_PROPERTY = "embed4j.backend";
    /** The names {@link #get(String)} accepts. */
    public static final List<String> NAMES = List.of("auto", "cuda", "cpu", "java");

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final Object DEFAULT_LOCK = new Object();
    private static volatile Backend defaultBackend;

    private Backends() {}

    /** One backend's creation: the checked backend and the raw implementation, or why it failed. */
    private record Attempt(String name, Backend checked, Backend raw, Throwable failure) {
        static Attempt of(String name, Supplier<Backend> factory) {
            try {
                Backend raw = factory.get();
                return new Attempt(name, new CheckedBackend(raw), raw, null);
            } catch (RuntimeException | LinkageError e) {
                return new Attempt(name, null, null, e);
            }
        }

        boolean ok() {
            return checked != null;
        }

        String reason() {
            if (failure == null) {
                return "";
            }
            String m = failure.getMessage();
            return m == null || m.isBlank() ? failure.toString() : m;
        }

        Backend orThrow() {
            if (!ok()) {
                throw new IllegalStateException("the " + name + " backend is not available: " + reason(), failure);
            }
            return checked;
        }
    }

    private static final class JavaHolder {
        static final Attempt ATTEMPT = Attempt.of("java", JavaBackend::new);
    }

    private static final class CpuHolder {
        static final Attempt ATTEMPT = Attempt.of("cpu", CpuBackend::new);
    }

    private static final class CudaHolder {
        static final Attempt ATTEMPT = Attempt.of("cuda", Backends::createCuda);
    }

    /**
     * The CUDA backend, or an exception saying why there is none. Hook for the CUDA build: it constructs the
     * CudaBackend (which throws when libembed4j_cuda is missing or no device answers). Its toString() is the
     * detail {@link #describe()} shows.
     */
    private static Backend createCuda() {
        return new CudaBackend();
    }

    // ------------------------------------------------------------------ choosing

    /**
     * The process's backend: the one {@code -Dembed4j.backend} names, else the best available (CUDA, CPU native,
     * Java). Decided once; the decision is logged at INFO.
     *
     * @throws IllegalStateException when the forced backend cannot run (the reason is in the message)
     * @throws IllegalArgumentException when the property names no backend
     */
    public static Backend auto() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (DEFAULT_LOCK) {
                b = defaultBackend;
                if (b == null) {
                    b = decide(System.getProperty(BACKEND_PROPERTY));
                    defaultBackend = b;
                }
            }
        }
        return b;
    }

    /** What {@link #auto()} returns for a property value (null or "auto": the best available), logging why. */
    static Backend decide(String property) {
        String forced = property == null || property.isBlank() ? "auto" : normalize(property);
        if (!forced.equals("auto")) {
            Backend b = get(forced);
            LOG.log(
                    System.Logger.Level.INFO,
                    "embed4j backend: " + forced + " (" + detail(forced) + "; forced by -D" + BACKEND_PROPERTY + "="
                            + property + ")");
            return b;
        }
        List<String> skipped = new ArrayList<>();
        for (Attempt a : List.of(CudaHolder.ATTEMPT, CpuHolder.ATTEMPT)) {
            if (a.ok()) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "embed4j backend: " + a.name() + " (" + detail(a.name()) + ")"
                                + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped)));
                return a.checked();
            }
            skipped.add(a.name() + ": " + a.reason());
        }
        LOG.log(System.Logger.Level.INFO, "embed4j backend: java (reference); skipped " + String.join("; ", skipped));
        return JavaHolder.ATTEMPT.orThrow();
    }

    /**
     * The backend with this name: "auto" (best available, ignoring the property), "cuda", "cpu" or "java".
     *
     * @throws IllegalStateException    when it cannot run here, with the reason
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backend get(String name) {
        return switch (normalize(name)) {
            case "auto" -> best();
            case "cuda" -> CudaHolder.ATTEMPT.orThrow();
            case "cpu" -> CpuHolder.ATTEMPT.orThrow();
            case "java" -> JavaHolder.ATTEMPT.orThrow();
            default ->
                throw new IllegalArgumentException(
                        "unknown backend '" + name + "': expected one of " + String.join(", ", NAMES));
        };
    }

    private static Backend best() {
        if (CudaHolder.ATTEMPT.ok()) {
            return CudaHolder.ATTEMPT.checked();
        }
        if (CpuHolder.ATTEMPT.ok()) {
            return CpuHolder.ATTEMPT.checked();
        }
        return JavaHolder.ATTEMPT.orThrow();
    }

    /** Every backend that works here, Java first (then cpu, cuda): what conformance tests run over. */
    public static List<Backend> available() {
        List<Backend> out = new ArrayList<>(3);
        for (Attempt a : List.of(JavaHolder.ATTEMPT, CpuHolder.ATTEMPT, CudaHolder.ATTEMPT)) {
            if (a.ok()) {
                out.add(a.checked());
            }
        }
        return List.copyOf(out);
    }

    /** Each backend, available or not, with what it runs on or why not (java, cpu, cuda). */
    public static List<BackendStatus> describe() {
        List<BackendStatus> out = new ArrayList<>(3);
        for (String name : List.of("java", "cpu", "cuda")) {
            Attempt a = attempt(name);
            out.add(new BackendStatus(name, a.ok(), detail(name)));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ threads

    /**
     * Threads the native CPU kernels use inside one call (process-wide; default {@code -Dembed4j.threads}, else
     * the available processors). Loads the CPU backend if needed; without it there is nothing to set.
     *
     * @return whether a native library took the setting
     */
    public static boolean setNumThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("thread count must be in [1, 1024], got " + threads);
        }
        Attempt cpu = CpuHolder.ATTEMPT;
        if (cpu.ok()) {
            ((CpuBackend) cpu.raw()).setNumThreads(threads);
            return true;
        }
        return false;
    }

    /** Threads the native CPU kernels use per call, or 1 when the CPU backend is unavailable. */
    public static int numThreads() {
        Attempt cpu = CpuHolder.ATTEMPT;
        return cpu.ok() ? ((CpuBackend) cpu.raw()).numThreads() : 1;
    }

    // ------------------------------------------------------------------ helpers

    private static Attempt attempt(String name) {
        return switch (name) {
            case "java" -> JavaHolder.ATTEMPT;
            case "cpu" -> CpuHolder.ATTEMPT;
            case "cuda" -> CudaHolder.ATTEMPT;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static String detail(String name) {
        Attempt a = attempt(name);
        if (!a.ok()) {
            return a.reason();
        }
        if (a.raw() instanceof CpuBackend cpu) {
            NativeLibrary lib = cpu.library();
            return CpuBackend.featureNames(cpu.features()) + ", " + lib.path() + " " + lib.version() + ", "
                    + cpu.numThreads() + (cpu.numThreads() == 1 ? " thread" : " threads");
        }
        if (name.equals("java")) {
            return "reference, plain Java";
        }
        return a.raw().toString();
    }

    private static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException(
                    "backend name must not be null: expected one of " + String.join(", ", NAMES));
        }
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
