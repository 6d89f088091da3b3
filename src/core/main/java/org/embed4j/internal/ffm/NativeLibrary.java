package org.embed4j.internal.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded embed4j native library (libembed4j.so, libembed4j_cuda.so), its functions resolved, and the way to call
 * into it.
 *
 * <p>Where the file comes from, first match wins:
 * <ol>
 *   <li>{@code -Dembed4j.native.path=<file or folder>}: a file is used for libembed4j; a folder is searched for
 *       {@code lib<baseName>.so} (so one folder serves both libraries). {@code -Dembed4j.native.<baseName>.path}
 *       names the file of any other library.</li>
 *   <li>The resource {@code /org/embed4j/native/linux-x86_64/lib<baseName>.so} (the Maven build puts it in the jar),
 *       extracted once per jar version with javacpp's {@code Loader.cacheResource}, or, if that fails, into
 *       {@code ~/.cache/embed4j/<version>/} by {@link ResourceExtractor}.</li>
 * </ol>
 * The library is bound with {@link SymbolLookup#libraryLookup(Path, Arena)} in the global arena (never unloaded),
 * then checked: {@code <prefix>abi_version() == 1} and {@code <prefix>version()} equal to this jar's version; then
 * every function of its {@link Abi} is resolved, and a library that lacks any of them fails to load with the list of
 * the missing ones (one header, one build: a missing symbol is a broken build, never a kernel that fails later).
 *
 * <p>Each library is loaded at most once per JVM (a failure is remembered and rethrown with the same reason).
 * Thread-safe.
 */
public final class NativeLibrary {
    /** System property: the library file (or a folder holding lib&lt;baseName&gt;.so); overrides the jar's copy. */
    public static final String PATH_PROPERTY = "embed4j.native.path";
    /** The ABI version of native/include/embed4j.h this Java code was written against. */
    public static final int ABI_VERSION = 1;

    private static final System.Logger LOG = System.getLogger(NativeLibrary.class.getName());
    private static final Map<String, Object> LOADED =
            new ConcurrentHashMap<>(); // base name -> NativeLibrary or RuntimeException
    private static final String JAVA_VERSION = readJavaVersion();
    private static final Object EXTRACTION_LOCK = new Object();

    private final Abi abi;
    private final Path path;
    private final Downcall[] calls; // by Binding.index()
    private final String version;

    private NativeLibrary(Abi abi, Path path, Downcall[] calls) {
        this.abi = abi;
        this.path = path;
        this.calls = calls;
        this.version = callString(abi.version);
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads {@code lib<abi.baseName()>.so} once per JVM and resolves every function of {@code abi}.
     *
     * @throws IllegalStateException why the library cannot be used (missing file, dlopen error, native access
     *                               denied, version mismatch, missing functions); the same reason on every later call
     */
    static NativeLibrary load(Abi abi) {
        Object result = LOADED.computeIfAbsent(abi.baseName(), k -> {
            try {
                return open(abi, locate(abi.baseName()));
            } catch (RuntimeException e) {
                return e;
            }
        });
        if (result instanceof RuntimeException failure) {
            throw new IllegalStateException(failure.getMessage(), failure);
        }
        NativeLibrary lib = (NativeLibrary) result;
        if (lib.abi != abi) {
            throw new IllegalStateException("lib" + abi.baseName() + " was loaded with another binding table");
        }
        return lib;
    }

    /** The file lib&lt;baseName&gt;.so will be loaded from: the override property, else the jar's copy extracted. */
    static Path locate(String baseName) {
        String fileName = "lib" + baseName + ".so";
        String property = "embed4j".equals(baseName) ? PATH_PROPERTY : "embed4j.native." + baseName + ".path";
        String override = System.getProperty(property);
        if (override == null && !"embed4j".equals(baseName)) {
            String dir = System.getProperty(PATH_PROPERTY);
            if (dir != null && Files.isDirectory(Path.of(dir))) {
                override = dir;
                property = PATH_PROPERTY;
            }
        }
        if (override != null) {
            Path p = Path.of(override);
            if (Files.isDirectory(p)) {
                p = p.resolve(fileName);
            }
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("-D" + property + "=" + override + ": no such file "
                        + p.toAbsolutePath() + " (point it at " + fileName + " or a folder holding it)");
            }
            return p.toAbsolutePath();
        }
        String platform = platform();
        String resource = "/org/embed4j/native/" + platform + "/" + fileName;
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException(fileName + " for " + platform + " is not on the class path (resource "
                    + resource + " missing): use a jar built with mvn package"
                    + ("embed4j_cuda".equals(baseName) ? " -Pcuda" : "") + ", or set -D" + property + "=<file>");
        }
        return extract(url, fileName);
    }

    /**
     * Binds an existing library file, checks its ABI and version, and resolves every function of {@code abi} (no
     * caching: tests open copies with it).
     */
    @SuppressWarnings("restricted") // loading native code is this class's job; native access is checked here
    static NativeLibrary open(Abi abi, Path path) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalCallerException e) {
            throw new IllegalStateException(
                    nativeAccessHint("native access is disabled, so " + path + " cannot be loaded"), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + path + ": " + e.getMessage(), e);
        }
        if (!NativeLibrary.class.getModule().isNativeAccessEnabled()) {
            LOG.log(System.Logger.Level.WARNING, nativeAccessHint("native access is not enabled for embed4j"));
        }
        List<Binding> bindings = abi.bindings();
        Downcall[] calls = new Downcall[bindings.size()];
        NativeLibrary lib;
        int abiVersion;
        try {
            for (Binding runtime : List.of(abi.version, abi.abiVersion, abi.lastError)) {
                Optional<MemorySegment> address = lookup.find(runtime.name());
                if (address.isEmpty()) {
                    throw new IllegalStateException(path + " is not an embed4j library: it does not export "
                            + runtime.name() + " (" + abi.header() + ")");
                }
                calls[runtime.index()] = new Downcall(address.get(), runtime);
            }
            lib = new NativeLibrary(abi, path, calls);
            abiVersion = lib.callInt(abi.abiVersion);
        } catch (IllegalCallerException e) {
            throw new IllegalStateException(
                    nativeAccessHint("native access is disabled, so " + path + " cannot be called"), e);
        }
        if (abiVersion != ABI_VERSION) {
            throw new IllegalStateException(path + " has C ABI version " + abiVersion + " but this embed4j "
                    + JAVA_VERSION + " needs ABI " + ABI_VERSION + ": use the library from the same build as the jar");
        }
        if (!JAVA_VERSION.equals(lib.version)) {
            throw new IllegalStateException(path + " is version " + lib.version + " but the embed4j jar is "
                    + JAVA_VERSION + ": use the library from the same build as the jar");
        }
        List<String> missing = new ArrayList<>();
        for (Binding b : bindings) {
            if (calls[b.index()] == null) {
                Optional<MemorySegment> address = lookup.find(b.name());
                if (address.isPresent()) {
                    calls[b.index()] = new Downcall(address.get(), b);
                } else {
                    missing.add(b.name());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(path + " (version " + lib.version + ") does not export " + missing.size()
                    + " of the functions " + abi.header() + " declares and embed4j binds: "
                    + String.join(", ", missing) + "; the library build is broken or incomplete: rebuild native/"
                    + " (mvn package builds it) and use the library from the same build as the jar");
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "loaded " + path + " (embed4j " + lib.version + ")");
        return lib;
    }

    /** What to tell a user whose JVM does not allow native access. */
    public static String nativeAccessHint(String what) {
        return what + ": start the JVM with --enable-native-access=org.embed4j (module path) or "
                + "--enable-native-access=ALL-UNNAMED (class path)";
    }

    /** The embed4j version of this jar (Maven's project.version). */
    public static String javaVersion() {
        return JAVA_VERSION;
    }

    // ------------------------------------------------------------------ calls

    public String baseName() {
        return abi.baseName();
    }

    /** The file that was loaded. */
    public Path path() {
        return path;
    }

    /** &lt;prefix&gt;version() of the library. */
    public String version() {
        return version;
    }

    /** &lt;prefix&gt;last_error() of the calling thread ("" when none). */
    public String lastError() {
        return callString(abi.lastError);
    }

    Abi abi() {
        return abi;
    }

    /** The resolved downcall of one of this library's bindings, its status unchecked (see {@link Calls}). */
    Downcall call(Binding binding) {
        if (binding.abi() != abi) {
            throw new IllegalArgumentException(binding.name() + " is not a function of " + abi);
        }
        return calls[binding.index()];
    }

    /** Calls a no-argument function returning int32. */
    int callInt(Binding function) {
        try {
            return (int) call(function).handle(0).invokeExact();
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Calls a no-argument function returning a NUL-terminated C string (owned by the library). */
    @SuppressWarnings("restricted") // the C string's length is unknown: read up to its NUL within 4 KiB
    private String callString(Binding function) {
        MemorySegment s;
        try {
            s = (MemorySegment) call(function).handle(0).invokeExact();
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
    }

    @Override
    public String toString() {
        return "lib" + abi.baseName() + " " + version + " (" + path + ")";
    }

    // ------------------------------------------------------------------ helpers

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("embed4j ships native libraries for linux-x86_64 only, this is " + os + "-"
                    + arch + ": build native/ with CMake and set -D" + PATH_PROPERTY + "=<folder>");
        }
        return "linux-x86_64";
    }

    /**
     * A resource in a folder (exploded classes: tests, IDEs) is used where it is. One in a jar is extracted with
     * javacpp's cache (once per jar file, locked against racing JVMs), else by {@link ResourceExtractor}.
     */
    static Path extract(URL url, String fileName) {
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI()).toAbsolutePath();
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "cannot use " + url + " in place: " + e);
            }
        }
        // One extraction at a time in this JVM: javacpp's file lock is per JVM, not per thread.
        synchronized (EXTRACTION_LOCK) {
            try {
                java.io.File f = org.bytedeco.javacpp.Loader.cacheResource(url);
                if (f != null && f.isFile()) {
                    return f.toPath().toAbsolutePath();
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        () -> "javacpp could not cache " + url + ": " + e + "; extracting it to "
                                + ResourceExtractor.defaultDir(JAVA_VERSION));
            }
        }
        try {
            return ResourceExtractor.extract(url, ResourceExtractor.defaultDir(JAVA_VERSION), fileName)
                    .path();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot extract " + url + " to " + ResourceExtractor.defaultDir(JAVA_VERSION) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Never throws (a failing static initializer would hide the reason): a broken build reads "unknown (...)". */
    private static String readJavaVersion() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown (org/embed4j/internal/ffm/version.properties is missing from the jar)";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isEmpty() || v.startsWith("${") ? "unknown (version.properties was not filtered by Maven)" : v;
        } catch (IOException e) {
            return "unknown (cannot read version.properties: " + e.getMessage() + ")";
        }
    }
}
