package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend choice: names, forcing, availability, descriptions, the property in a child JVM, threads. */
class BackendsTest {

    /** This project's machines (and CI) have AVX2+FMA and no GPU; other machines get the honest answer. */
    private static boolean cpuExpected() {
        return Backends.describe().stream().anyMatch(s -> s.name().equals("cpu") && s.available());
    }

    @Test
    void cpuWorksHere() {
        BackendStatus cpu = Backends.describe().get(1);
        assertEquals("cpu", cpu.name());
        assertTrue(cpu.available(), "the native CPU backend should load on this machine: " + cpu.detail());
        Backend b = Backends.get("cpu");
        assertEquals("cpu", b.name());
        assertInstanceOf(CheckedBackend.class, b);
        assertInstanceOf(CpuBackend.class, ((CheckedBackend) b).delegate());
        assertSame(b, Backends.get("CPU"), "backends are singletons, names case-insensitive");
        assertTrue(
                cpu.detail().contains("AVX2+FMA")
                        && cpu.detail().contains("libembed4j.so")
                        && cpu.detail().contains(org.embed4j.internal.ffm.NativeLibrary.javaVersion()),
                cpu.detail());
    }

    @Test
    void cudaFailsWithAReasonWhenItCannotRun() {
        BackendStatus cuda = Backends.describe().get(2);
        assertEquals("cuda", cuda.name());
        org.junit.jupiter.api.Assumptions.assumeFalse(cuda.available(), "a GPU answered here");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.get("cuda"));
        assertTrue(e.getMessage().startsWith("the cuda backend is not available: "), e.getMessage());
        assertEquals("the cuda backend is not available: " + cuda.detail(), e.getMessage());
        assertFalse(cuda.detail().isBlank());
        assertThrows(IllegalStateException.class, () -> Backends.decide("cuda"), "forcing never falls back");
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("tpu"));
        assertTrue(
                e.getMessage().contains("'tpu'") && e.getMessage().contains("auto, cuda, cpu, java"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.decide("gpu"));
    }

    @Test
    void availableListsJavaFirstAndAutoPicksTheBest() {
        List<Backend> all = Backends.available();
        assertEquals("java", all.get(0).name());
        List<String> names = all.stream().map(Backend::name).toList();
        assertEquals(cpuExpected(), names.contains("cpu"), names.toString());
        String best = names.contains("cuda") ? "cuda" : names.contains("cpu") ? "cpu" : "java";
        assertEquals(best, Backends.get("auto").name());
        assertEquals(best, Backends.decide(null).name());
        assertEquals(best, Backends.decide("auto").name());
        assertEquals("java", Backends.decide("java").name());
        assertSame(Backends.get("java"), Backends.decide(" Java "));
        for (Backend b : all) {
            assertInstanceOf(CheckedBackend.class, b);
        }
        assertEquals(
                List.of("java", "cpu", "cuda"),
                Backends.describe().stream().map(BackendStatus::name).toList());
    }

    @Test
    void thePropertyForcesTheBackendInAFreshJvm() throws Exception {
        assertEquals("chose java", probe("-Dembed4j.backend=java"));
        String best = cpuExpected() ? "cpu" : "java";
        if (!Backends.describe().get(2).available()) {
            assertEquals("chose " + best, probe("-Dembed4j.backend=auto"));
            String cuda = probe("-Dembed4j.backend=cuda");
            assertTrue(cuda.startsWith("failed IllegalStateException: the cuda backend is not available: "), cuda);
        }
        assertEquals(
                "failed IllegalArgumentException: unknown backend 'gpu': expected one of auto, cuda, cpu, java",
                probe("-Dembed4j.backend=gpu"));
    }

    @Test
    void threadsApplyToTheNativeLibrary() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cpuExpected(), "no native CPU backend here");
        int before = Backends.numThreads();
        try {
            assertTrue(Backends.setNumThreads(1));
            assertEquals(1, Backends.numThreads());
            assertTrue(Backends.setNumThreads(3));
            assertEquals(3, Backends.numThreads());
            assertTrue(
                    Backends.describe().get(1).detail().endsWith("3 threads"),
                    Backends.describe().get(1).detail());
        } finally {
            Backends.setNumThreads(before);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.setNumThreads(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    @Test
    void theThreadsPropertyIsValidated() {
        String before = System.getProperty(CpuBackend.THREADS_PROPERTY);
        try {
            System.setProperty(CpuBackend.THREADS_PROPERTY, "5");
            assertEquals(5, CpuBackend.threadsFromProperty());
            System.setProperty(CpuBackend.THREADS_PROPERTY, "many");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuBackend::threadsFromProperty);
            assertTrue(e.getMessage().contains("-Dembed4j.threads=many"), e.getMessage());
            System.clearProperty(CpuBackend.THREADS_PROPERTY);
            assertEquals(Math.min(1024, Runtime.getRuntime().availableProcessors()), CpuBackend.threadsFromProperty());
        } finally {
            if (before == null) {
                System.clearProperty(CpuBackend.THREADS_PROPERTY);
            } else {
                System.setProperty(CpuBackend.THREADS_PROPERTY, before);
            }
        }
    }

    @Test
    void theNativePathPropertyPicksTheLibraryInAFreshJvm(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(cpuExpected(), "no native CPU backend here");
        Path copy = Files.copy(
                ((CpuBackend) ((CheckedBackend) Backends.get("cpu")).delegate())
                        .library()
                        .path(),
                dir.resolve("libembed4j.so"));
        List<String> out =
                run(List.of("--enable-native-access=ALL-UNNAMED", "-Dembed4j.native.path=" + dir), "describe");
        String cpu = out.stream().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
        assertTrue(cpu.startsWith("cpu true ") && cpu.contains(copy.toString()), cpu);
        List<String> missing = run(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-Dembed4j.native.path=" + dir.resolve("nope.so"),
                "-Dembed4j.backend=cpu"));
        String last = missing.get(missing.size() - 1);
        assertTrue(
                last.startsWith(
                                "failed IllegalStateException: the cpu backend is not available: -Dembed4j.native.path=")
                        && last.contains("no such file"),
                last);
    }

    @Test
    void deniedNativeAccessFallsBackToJavaAndSaysHowToEnableIt() throws Exception {
        List<String> out = run(List.of("--illegal-native-access=deny"), "describe");
        String cpu = out.stream().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
        assertTrue(
                cpu.startsWith("cpu false ")
                        && cpu.contains("--enable-native-access=ALL-UNNAMED")
                        && cpu.contains("--enable-native-access=org.embed4j"),
                cpu);
        assertEquals("chose java", out.get(out.size() - 1));
    }

    /** Runs BackendsProbe in a child JVM (native access enabled) with one extra option; returns its last line. */
    private static String probe(String option) throws IOException, InterruptedException {
        List<String> lines = run(List.of("--enable-native-access=ALL-UNNAMED", option));
        return lines.get(lines.size() - 1);
    }

    /** Runs BackendsProbe in a child JVM with these JVM options and program arguments; returns its output lines. */
    private static List<String> run(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BackendsProbe.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.strip().lines().map(String::strip).toList();
    }
}
