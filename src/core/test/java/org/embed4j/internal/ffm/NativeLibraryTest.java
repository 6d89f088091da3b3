package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading libembed4j: from the jar's resource, from -Dembed4j.native.path, failures, and concurrent first use. */
class NativeLibraryTest {
    private static final String RESOURCE = "/org/embed4j/native/linux-x86_64/libembed4j.so";
    private static final Abi NONEXISTENT = new Abi("embed4j_nonexistent", "e4j_", "none.h");

    @Test
    void loadsFromTheResourceAndChecksTheVersion() throws InterruptedException {
        NativeLibrary lib = NativeLibrary.load(CpuKernels.ABI);
        assertTrue(Files.isRegularFile(lib.path()), lib.path().toString());
        assertEquals(NativeLibrary.javaVersion(), lib.version());
        assertFalse(NativeLibrary.javaVersion().startsWith("unknown"), NativeLibrary.javaVersion());
        int abi = lib.callInt(CpuKernels.ABI.abiVersion);
        assertEquals(NativeLibrary.ABI_VERSION, abi);
        String[] fresh = new String[1];
        Thread t = new Thread(() -> fresh[0] = lib.lastError());
        t.start();
        t.join();
        assertEquals("", fresh[0], "a fresh thread has no error");
    }

    @Test
    void loadsACopyNamedByThePathProperty(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("copy-of-libembed4j.so");
        Files.copy(NativeLibrary.load(CpuKernels.ABI).path(), copy);
        String before = System.getProperty(NativeLibrary.PATH_PROPERTY);
        try {
            System.setProperty(NativeLibrary.PATH_PROPERTY, copy.toString());
            Path located = NativeLibrary.locate("embed4j");
            assertEquals(copy.toAbsolutePath(), located);
            NativeLibrary lib = NativeLibrary.open(CpuKernels.ABI, located);
            assertEquals(NativeLibrary.javaVersion(), lib.version());
            assertEquals(copy.toAbsolutePath(), lib.path());
            // A folder works too: lib<baseName>.so inside it.
            Files.copy(copy, dir.resolve("libembed4j.so"));
            System.setProperty(NativeLibrary.PATH_PROPERTY, dir.toString());
            assertEquals(dir.resolve("libembed4j.so").toAbsolutePath(), NativeLibrary.locate("embed4j"));
        } finally {
            restore(before);
        }
    }

    @Test
    void aMissingPathIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope/libembed4j.so");
        String before = System.getProperty(NativeLibrary.PATH_PROPERTY);
        try {
            System.setProperty(NativeLibrary.PATH_PROPERTY, missing.toString());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibrary.locate("embed4j"));
            assertTrue(e.getMessage().contains("-D" + NativeLibrary.PATH_PROPERTY + "=" + missing), e.getMessage());
            assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        } finally {
            restore(before);
        }
    }

    @Test
    void aLibraryWithoutTheRuntimeIsRejected() throws Exception {
        Path libm = Path.of("/lib/x86_64-linux-gnu/libm.so.6");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(libm), "no libm at " + libm);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> NativeLibrary.open(CpuKernels.ABI, libm));
        assertTrue(
                e.getMessage().contains("not an embed4j library")
                        && e.getMessage().contains("e4j_version"),
                e.getMessage());
    }

    @Test
    void aLibraryOfAnotherVersionOrAbiIsRejected(@TempDir Path dir) throws Exception {
        Path wrongVersion = fakeLibrary(dir, "wrong-version", "\"9.9.9\"", 1);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> NativeLibrary.open(CpuKernels.ABI, wrongVersion));
        assertTrue(
                e.getMessage().contains("is version 9.9.9 but the embed4j jar is " + NativeLibrary.javaVersion()),
                e.getMessage());
        Path wrongAbi = fakeLibrary(dir, "wrong-abi", "\"" + NativeLibrary.javaVersion() + "\"", 2);
        IllegalStateException abi =
                assertThrows(IllegalStateException.class, () -> NativeLibrary.open(CpuKernels.ABI, wrongAbi));
        assertTrue(
                abi.getMessage().contains("C ABI version 2") && abi.getMessage().contains("needs ABI 1"),
                abi.getMessage());
    }

    /** A tiny library with embed4j's runtime functions, built with the C compiler the native build uses. */
    private static Path fakeLibrary(Path dir, String name, String version, int abi) throws Exception {
        return fakeLibrary(dir, name, version, abi, "");
    }

    /** As above, with {@code more} C code in the library. */
    private static Path fakeLibrary(Path dir, String name, String version, int abi, String more) throws Exception {
        Path src = Files.writeString(
                dir.resolve(name + ".c"),
                "const char *e4j_version(void) { return " + version
                        + "; }\nint e4j_abi_version(void) { return " + abi + "; }\n"
                        + "const char *e4j_last_error(void) { return \"\"; }\n" + more);
        Path lib = dir.resolve("lib" + name + ".so");
        Process p;
        try {
            p = new ProcessBuilder("cc", "-shared", "-fPIC", "-Wl,-z,noexecstack", "-o", lib.toString(), src.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (java.io.IOException noCompiler) {
            org.junit.jupiter.api.Assumptions.abort("no C compiler (cc) here: " + noCompiler.getMessage());
            throw noCompiler;
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return lib;
    }

    @Test
    void anUnknownLibraryNamesTheMissingResource() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibrary.load(NONEXISTENT));
        assertTrue(e.getMessage().contains("libembed4j_nonexistent.so"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dembed4j.native.embed4j_nonexistent.path"), e.getMessage());
        // Remembered: the same reason again, without retrying.
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> NativeLibrary.load(NONEXISTENT));
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void aLibraryLackingABoundFunctionFailsToLoadNamingEveryMissingOne(@TempDir Path dir) throws Exception {
        Path partial = fakeLibrary(
                dir, "partial", "\"" + NativeLibrary.javaVersion() + "\"", 1, "int e4j_one(int x) { return x; }\n");
        Abi abi = new Abi("partial", "e4j_", "partial.h");
        abi.status("e4j_one", 0, ValueLayout.JAVA_INT);
        abi.status("e4j_two", 0, ValueLayout.JAVA_INT);
        abi.value("e4j_three", ValueLayout.JAVA_LONG);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibrary.open(abi, partial));
        assertTrue(
                e.getMessage().contains("does not export 2 of the functions partial.h declares")
                        && e.getMessage().contains("e4j_two, e4j_three")
                        && !e.getMessage().contains("e4j_one"),
                e.getMessage());
        // The real binding table against a library with the runtime functions only: every other function is named.
        IllegalStateException cpu =
                assertThrows(IllegalStateException.class, () -> NativeLibrary.open(CpuKernels.ABI, partial));
        String m = cpu.getMessage();
        String listed = m.substring(m.indexOf("embed4j binds: ") + "embed4j binds: ".length(), m.indexOf("; "));
        List<String> expected = CpuKernels.ABI.bindings().stream()
                .map(Binding::name)
                .filter(n -> !List.of("e4j_version", "e4j_abi_version", "e4j_last_error")
                        .contains(n))
                .toList();
        assertEquals(expected, List.of(listed.split(", ")), m);
    }

    @Test
    void concurrentFirstUseLoadsOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<NativeLibrary>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return NativeLibrary.load(CpuKernels.ABI);
                }));
            }
            start.countDown();
            NativeLibrary first = results.get(0).get();
            for (Future<NativeLibrary> f : results) {
                assertSame(first, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentExtractionWritesOnce(@TempDir Path dir) throws Exception {
        URL url = NativeLibrary.class.getResource(RESOURCE);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                url != null, "the build did not put " + RESOURCE + " on the class path");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ResourceExtractor.Extracted>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return ResourceExtractor.extract(url, dir.resolve("0.1.0"), "libembed4j.so");
                }));
            }
            start.countDown();
            int written = 0;
            for (Future<ResourceExtractor.Extracted> f : results) {
                ResourceExtractor.Extracted x = f.get();
                assertEquals(dir.resolve("0.1.0/libembed4j.so"), x.path());
                written += x.written() ? 1 : 0;
            }
            assertEquals(1, written, "exactly one thread extracts");
        } finally {
            pool.shutdownNow();
        }
        Path lib = dir.resolve("0.1.0/libembed4j.so");
        byte[] expected;
        try (var in = url.openStream()) {
            expected = in.readAllBytes();
        }
        assertTrue(java.util.Arrays.equals(expected, Files.readAllBytes(lib)), "extracted bytes differ");
        try (var files = Files.list(dir.resolve("0.1.0"))) {
            assertEquals(
                    List.of(".lock", "libembed4j.so"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file left behind");
        }
        // A stale copy (other bytes) is replaced; the loaded copy works.
        Files.writeString(lib, "stale");
        Files.setLastModifiedTime(lib, FileTime.fromMillis(0));
        assertTrue(ResourceExtractor.extract(url, dir.resolve("0.1.0"), "libembed4j.so")
                .written());
        assertEquals(
                NativeLibrary.javaVersion(),
                NativeLibrary.open(CpuKernels.ABI, lib).version());
    }

    @Test
    void extractsFromAJarOncePerJar(@TempDir Path dir) throws Exception {
        URL url = NativeLibrary.class.getResource(RESOURCE);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                url != null, "the build did not put " + RESOURCE + " on the class path");
        byte[] bytes;
        try (var in = url.openStream()) {
            bytes = in.readAllBytes();
        }
        Path jar = dir.resolve("embed4j-extract-test.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(RESOURCE.substring(1)));
            out.write(bytes);
            out.closeEntry();
        }
        // Keep javacpp's cache inside the temp folder when this JVM has not used it yet.
        System.setProperty("org.bytedeco.javacpp.cachedir", dir.resolve("cache").toString());
        URL inJar = URI.create("jar:" + jar.toUri() + "!" + RESOURCE).toURL();
        // Eight threads at once: one extraction, one path, intact bytes.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Path>> paths = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                paths.add(pool.submit(() -> {
                    start.await();
                    return NativeLibrary.extract(inJar, "libembed4j.so");
                }));
            }
            start.countDown();
            for (Future<Path> f : paths) {
                assertEquals(paths.get(0).get(), f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        Path first = paths.get(0).get();
        FileTime written = Files.getLastModifiedTime(first);
        Path second = NativeLibrary.extract(inJar, "libembed4j.so");
        assertEquals(first, second);
        assertEquals(written, Files.getLastModifiedTime(second), "the second use does not extract again");
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(first)), "extracted bytes differ");
        assertEquals(
                NativeLibrary.javaVersion(),
                NativeLibrary.open(CpuKernels.ABI, first).version());
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(NativeLibrary.PATH_PROPERTY);
        } else {
            System.setProperty(NativeLibrary.PATH_PROPERTY, before);
        }
    }
}
