package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log as a user sees it on stderr: one "INFO embed4j: ..." line a record (no java.util.logging date line), the
 * training summary printed once (on stdout, not again in the log), and --quiet leaving only warnings and errors.
 */
class LoggingCliTest {
    @TempDir
    Path dir;

    private String[] trainVectors(Path corpus, String prefix, boolean quiet) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "train-vectors",
                "--input",
                corpus.toString(),
                "--output",
                prefix,
                "--dim",
                "8",
                "--min-count",
                "1",
                "--epochs",
                "1",
                "--threads",
                "1"));
        if (quiet) {
            args.add("--quiet");
        }
        return args.toArray(String[]::new);
    }

    @Test
    void oneLineRecordsAndQuietSilencesThem() throws IOException {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "the cat sat on the mat\nthe dog sat on the log\n".repeat(200));
        CliRun loud = CliRun.run("", trainVectors(corpus, dir.resolve("a").toString(), false));
        assertEquals(0, loud.exitCode(), loud.err());
        List<String> log =
                loud.err().lines().filter(l -> !l.startsWith("word2vec sg:")).toList();
        assertTrue(
                log.stream().anyMatch(l -> l.startsWith("INFO embed4j: word2vec: 7 words in the vocabulary")),
                loud.err());
        for (String l : log) {
            assertTrue(l.matches("(ERROR|WARN|INFO|DEBUG) \\S+: .*"), "not a one-line record: " + l);
        }
        assertFalse(loud.err().contains("INFO:"), "java.util.logging's two-line format: " + loud.err());
        // the summary is on stdout once, not repeated by the log
        assertEquals(
                1,
                loud.out().lines().filter(l -> l.startsWith("trained 7 words")).count(),
                loud.out());
        assertFalse(loud.err().contains("final loss"), loud.err());

        CliRun quiet = CliRun.run("", trainVectors(corpus, dir.resolve("b").toString(), true));
        assertEquals(0, quiet.exitCode(), quiet.err());
        assertEquals("", quiet.err(), "--quiet: no progress and no INFO lines");
        assertTrue(quiet.out().contains("trained 7 words"), quiet.out());
    }
}
