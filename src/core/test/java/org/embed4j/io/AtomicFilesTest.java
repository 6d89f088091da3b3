package org.embed4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Symbolic links are written through, and an interrupted JVM (Ctrl-C) leaves no temporary file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = dir.resolve("models/real.bin");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "old");
        Path link = dir.resolve("current.bin");
        Files.createSymbolicLink(link, Path.of("models/real.bin"));
        Path chain = dir.resolve("chain.bin");
        Files.createSymbolicLink(chain, link);

        AtomicFiles.write(chain, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(chain));
        assertEquals("new", Files.readString(real));

        Path dangling = dir.resolve("dangling.bin");
        Files.createSymbolicLink(dangling, Path.of("models/later.bin"));
        AtomicFiles.write(dangling, out -> out.write("made".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("made", Files.readString(dir.resolve("models/later.bin")));
    }

    /** Started in its own JVM by {@link #ctrlCDeletesTheTemporaryFile}: writes forever until it is interrupted. */
    public static void main(String[] args) throws IOException {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 16]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void ctrlCDeletesTheTemporaryFile() throws IOException, InterruptedException {
        Assumptions.assumeFalse(
                sigintIgnored(),
                "this JVM was started with SIGINT ignored (a background job of a shell without job control): its"
                        + " child inherits that, and no Ctrl-C reaches it");
        Path target = dir.resolve("model.e4jv");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AtomicFilesTest.class.getName(),
                        target.toString())
                .redirectErrorStream(true)
                .start();
        try {
            String first = new String(p.getInputStream().readNBytes("writing".length()), StandardCharsets.UTF_8);
            assertEquals("writing", first);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(1, files.count(), "the temporary file exists while writing");
            }
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the writer did not stop on SIGINT");
        } finally {
            p.destroyForcibly();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    /** Whether SIGINT (signal 2) is ignored by this process, by the SigIgn mask of /proc/self/status (Linux). */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(
                                        line.substring("SigIgn:".length()).strip(), 16)
                                & 0b10)
                        != 0;
            }
        }
        return false;
    }
}
