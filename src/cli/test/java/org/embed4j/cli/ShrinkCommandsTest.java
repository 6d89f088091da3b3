package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.deploy.Precision;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `embed4j prune` and `embed4j quantize`, run in-process through picocli with captured output. */
class ShrinkCommandsTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A model whose first rows solve man:king::woman:queen, then random words; eval files beside it. */
    private Path model() throws Exception {
        List<String> words = new ArrayList<>(List.of("man", "king", "woman", "queen", "apple", "car"));
        int dim = 8;
        float[] head = {
            1, 0, 0, 0.1f, 0, 0, 0, 0, 1, 1, 0, 0.1f, 0, 0, 0, 0, 0, 0, 1, 0.1f, 0, 0, 0, 0, 0, 1, 1, 0.1f, 0, 0, 0, 0,
            0.3f, -1, 0.2f, 1, 0, 0.5f, 0, 0, 0.5f, 0.2f, 0.1f, -0.5f, 0, 0, 0.7f, 0
        };
        int extra = 200;
        float[] tail = RandomVectors.gaussian(3, extra * dim);
        for (int i = 0; i < extra; i++) {
            words.add("r" + i);
        }
        float[] all = new float[words.size() * dim];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        Path p = dir.resolve("m.bin");
        VectorsIO.write(WordVectors.of(words, all, dim), p, VectorsFormat.WORD2VEC_BINARY);
        Files.writeString(dir.resolve("pairs.tsv"), "man woman 5\nking queen 8\nman car 1\napple car 4\nman r7 2\n");
        Files.writeString(dir.resolve("q.txt"), ": capital\nman king woman queen\n: gram1\nking man queen woman\n");
        return p;
    }

    @Test
    void quantizePrintsScoresAndSizes() throws Exception {
        Path m = model();
        for (String flag : new String[] {"--int8", "--fp16"}) {
            Path out = dir.resolve("q" + flag.substring(2) + ".e4jq");
            Run r = run(
                    "quantize",
                    m.toString(),
                    out.toString(),
                    flag,
                    "--similarity",
                    dir.resolve("pairs.tsv").toString(),
                    "--analogy",
                    dir.resolve("q.txt").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("ws353 spearman: before"), r.out());
            assertTrue(r.out().contains("analogy accuracy (restrict 30000): before 100.00% after 100.00%"), r.out());
            assertTrue(r.out().contains("size ratio"), r.out());
            assertTrue(r.out().contains(flag.substring(2)), r.out());
            QuantizedVectors q = QuantizedVectors.load(out);
            assertEquals(206, q.size());
            assertEquals(flag.equals("--int8") ? Precision.INT8 : Precision.FP16, q.precision());
        }
        Run both = run("quantize", m.toString(), dir.resolve("x.e4jq").toString(), "--int8", "--fp16");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("not both"), both.err());
        Path classifier = dir.resolve("c.e4jc");
        Files.write(classifier, new byte[] {'E', '4', 'J', 'C', 0, 0, 0, 1});
        Run cls = run("quantize", classifier.toString(), dir.resolve("x.e4jq").toString());
        assertEquals(1, cls.code());
        assertTrue(cls.err().contains("is a text classifier"), cls.err());
        long before = Files.size(m);
        Run same = run("quantize", m.toString(), m.toString());
        assertEquals(1, same.code());
        assertTrue(same.err().contains("is the input file"), same.err());
        assertEquals(before, Files.size(m), "the input is untouched");
        Run missing = run(
                "quantize",
                dir.resolve("absent.bin").toString(),
                dir.resolve("x.e4jq").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("absent.bin"), missing.err());
    }

    @Test
    void prunePrintsScoresAndKeepsTheFirstWords() throws Exception {
        Path m = model();
        Path out = dir.resolve("p.e4jv");
        Run r = run(
                "prune",
                m.toString(),
                out.toString(),
                "--keep",
                "6",
                "--similarity",
                dir.resolve("pairs.tsv").toString(),
                "--analogy",
                dir.resolve("q.txt").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("pruned " + out + ": 6 words"), r.out());
        assertTrue(r.out().contains("pairs covered 5 -> 4 of 5"), r.out());
        assertTrue(r.out().contains("analogy accuracy"), r.out());
        WordVectors back = VectorsIO.read(out);
        assertEquals(List.of("man", "king", "woman", "queen", "apple", "car"), back.words());
        Run bad = run("prune", m.toString(), out.toString(), "--keep", "0");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--keep must be > 0"), bad.err());
        Files.write(dir.resolve("junk.e4jv"), new byte[] {'E', '4', 'J', 'V', 1});
        Run corrupt = run("prune", dir.resolve("junk.e4jv").toString(), out.toString(), "--keep", "3");
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains("junk.e4jv"), corrupt.err());
    }
}
