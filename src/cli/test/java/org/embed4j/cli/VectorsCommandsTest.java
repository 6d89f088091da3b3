package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nearest / analogy / evaluate / convert subcommands, run in-process on a small model. */
class VectorsCommandsTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path model() throws Exception {
        Path p = dir.resolve("m.bin");
        VectorsIO.write(RandomVectors.plantedAnalogy(), p, VectorsFormat.WORD2VEC_BINARY);
        return p;
    }

    @Test
    void nearestAndAnalogy() throws Exception {
        Path m = model();
        Run r = run("nearest", m.toString(), "king", "-k", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("man\t") || r.out().startsWith("queen\t"), r.out());
        r = run("analogy", m.toString(), "man", "king", "woman", "-k", "1", "--method", "cosmul");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("queen\t"), r.out());
        r = run("nearest", m.toString(), "unknownword");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknownword"), r.err());
    }

    @Test
    void convertAndEvaluate() throws Exception {
        Path m = model();
        Path out = dir.resolve("m.e4jv");
        Run r = run("convert", m.toString(), out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(VectorsFormat.NATIVE, VectorsIO.detect(out));
        Path pairs = dir.resolve("pairs.txt");
        Files.writeString(pairs, "man woman 5\nking queen 8\nman car 1\nman absent 3\n");
        Path questions = dir.resolve("q.txt");
        Files.writeString(questions, ": family\nman king woman queen\n");
        r = run("evaluate", out.toString(), "--similarity", pairs.toString(), "--analogy", questions.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3/4 pairs covered"), r.out());
        assertTrue(r.out().contains("total 100.00%"), r.out());
        r = run("convert", m.toString(), dir.resolve("m.unknown").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--to"), r.err());
    }
}
