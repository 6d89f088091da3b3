package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the command line tells a user when something goes wrong: one line that names the file and the place, no Java
 * class names or library addresses, control bytes from files escaped, an out-of-memory message that says which
 * option lowers the need, and no file created before the options are found wrong.
 */
class UserMessagesTest {
    /** A qualified Java class name or a web address: what a user must never have to read. */
    private static final Pattern JAVA_NOISE =
            Pattern.compile("(?:[a-z]+\\.)+[A-Z]\\w*(?:Exception|Error)|https?://|\\bat [a-z]+\\.");

    @TempDir
    Path dir;

    private static void assertClean(String err) {
        assertFalse(JAVA_NOISE.matcher(err).find(), "class name, address or stack in: " + err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
    }

    @Test
    void invalidUtf8InADataFileNamesTheFileLineAndByte() throws IOException {
        Path data = dir.resolve("train.txt");
        byte[] bytes = "__label__a good text\n__label__b bad \u00ff text\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(data, bytes);
        CliRun r = CliRun.run(
                "",
                "train-classifier",
                "--train",
                data.toString(),
                "--output",
                dir.resolve("m").toString(),
                "--quiet");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(data + " line 2 is not valid UTF-8 at byte offset 36 (bytes ff 20"), r.err());
        assertFalse(r.err().contains("Input length"), r.err());
        assertClean(r.err());
    }

    @Test
    void wrappedAndLibraryExceptionsBecomePlainSentences() {
        Throwable gsonLike = new RuntimeException(new IOException(
                "com.google.gson.stream.MalformedJsonException: Unterminated object at line 1 column 9 path $.a\n"
                        + "See https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json"));
        assertEquals("Unterminated object at line 1 column 9 path $.a", ErrorMessages.of(gsonLike));
        Throwable unchecked = new UncheckedIOException(new IOException("corrupt vectors file x at byte offset 4: bad"));
        assertEquals("corrupt vectors file x at byte offset 4: bad", ErrorMessages.of(unchecked));
        assertEquals("no such file: /tmp/none", ErrorMessages.of(new java.nio.file.NoSuchFileException("/tmp/none")));
        String bug = ErrorMessages.of(new NullPointerException());
        assertTrue(bug.contains("null pointer exception") && bug.contains("bug"), bug);
        assertEquals(
                "word 'a\\x1b[31mred' is bad",
                ErrorMessages.of(new IllegalArgumentException("word 'a\u001b[31mred' is bad")));
    }

    @Test
    void controlBytesFromAModelAreEscapedOnTheTerminal() throws IOException {
        Path vec = dir.resolve("v.vec");
        Files.writeString(vec, "3 2\nking 1 0\nqu\u001b]0;owned\u0007een 0.9 0.1\nbad\u202eword 0.8 0.2\n");
        CliRun r = CliRun.run("", "nearest", vec.toString(), "king", "-k", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("qu\\x1b]0;owned\\x07een\t"), r.out());
        assertTrue(r.out().contains("bad\\u{202e}word\t"), r.out());
        for (char c : r.out().toCharArray()) {
            assertTrue(c >= 0x20 || c == '\n' || c == '\t', "raw control character " + (int) c + " in " + r.out());
        }
    }

    @Test
    void outOfMemorySaysWhatTheOptionsNeedAndWhichOptionLowersIt() {
        StringWriter sw = new StringWriter();
        int code = VectorsCommands.run(
                new PrintWriter(sw),
                "train-vectors",
                () -> {
                    throw new OutOfMemoryError("Java heap space");
                },
                () -> "training takes 1.2 GB per million words; lower --dim");
        assertEquals(1, code);
        String err = sw.toString();
        assertTrue(err.contains("out of memory: training takes 1.2 GB per million words; lower --dim"), err);
        assertTrue(err.contains("EMBED4J_JAVA_OPTS=-Xmx"), err);
        assertClean(err);
    }

    /** A bad option of a training command and the words its message must hold. */
    static Stream<Arguments> badTrainingOptions() {
        return Stream.of(
                Arguments.of(List.of("train-vectors", "--dim", "-3"), "dim must be in [1, 65536], got -3"),
                Arguments.of(List.of("train-vectors", "--epochs", "0"), "got 0"),
                Arguments.of(List.of("train-vectors", "--window", "-1"), "got -1"),
                Arguments.of(List.of("train-vectors", "--model", "skipgramz"), "skipgramz"),
                Arguments.of(List.of("train-vectors", "--lr", "NaN"), "NaN"),
                Arguments.of(List.of("train-vectors", "--backend", "tpu"), "tpu"),
                Arguments.of(List.of("demo", "--epochs", "0"), "got 0"),
                Arguments.of(List.of("train-classifier", "--dim", "-3"), "got -3"),
                Arguments.of(List.of("train-classifier", "--bucket", "-1"), "got -1"),
                Arguments.of(List.of("train-classifier", "--model", "mlp", "--dim", "0"), "got 0"),
                Arguments.of(List.of("train-classifier", "--model", "svm"), "svm"));
    }

    @ParameterizedTest
    @MethodSource("badTrainingOptions")
    void badOptionsCreateNoFile(List<String> command, String named) throws IOException {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "__label__a a b c\n__label__b d e f\n");
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(command);
        if (command.getFirst().equals("train-classifier")) {
            args.addAll(List.of(
                    "--train",
                    corpus.toString(),
                    "--output",
                    out.resolve("m.e4jc").toString()));
            args.addAll(List.of("--metrics", out.resolve("m.jsonl").toString()));
            args.addAll(List.of("--curve", out.resolve("m.png").toString()));
            args.addAll(List.of("--write-split", out.resolve("split").toString()));
        } else {
            if (command.getFirst().equals("train-vectors")) {
                args.addAll(List.of("--input", corpus.toString()));
            } else {
                args.addAll(List.of("--data", dir.toString()));
            }
            args.addAll(List.of("--output", out.resolve("y").toString()));
        }
        args.add("--quiet");
        CliRun r = CliRun.run("", args.toArray(String[]::new));
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(named), r.err());
        assertClean(r.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.toList(), "files created before the options were checked");
        }
    }

    @Test
    void anOutputPrefixThatIsAFolderIsAnError() throws IOException {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "a b c\n");
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        for (String prefix : List.of(out + "/", out.toString())) {
            CliRun r = CliRun.run("", "train-vectors", "--input", corpus.toString(), "--output", prefix, "--quiet");
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("is a folder; give a file name prefix inside it"), r.err());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.toList(), "hidden files such as out/.bin were written");
        }
    }
}
