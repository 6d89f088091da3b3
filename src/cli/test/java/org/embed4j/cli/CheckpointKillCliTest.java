package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.embed4j.io.Safetensors;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.TopicCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash-safe training end to end: {@code train-vectors --checkpoint} runs in a child JVM that is killed (SIGKILL)
 * as soon as its first checkpoint appears; {@code --resume} then finishes the run, and its vectors file is byte for
 * byte the one of an uninterrupted run (one thread). A checkpoint of other settings is refused in one line;
 * {@code train-classifier} writes its checkpoint and resumes from it to the same model file.
 */
class CheckpointKillCliTest {
    private static final int EPOCHS = 4;

    @TempDir
    Path dir;

    private List<String> args(Path corpus, Path out, Path checkpoint) {
        return new ArrayList<>(List.of(
                "train-vectors",
                "--input",
                corpus.toString(),
                "--output",
                out.toString(),
                "--model",
                "sg",
                "--dim",
                "32",
                "--epochs",
                Integer.toString(EPOCHS),
                "--min-count",
                "1",
                "--sample",
                "0",
                "--threads",
                "1",
                "--seed",
                "3",
                "--checkpoint",
                checkpoint.toString(),
                "--quiet"));
    }

    /** The embed4j command line in a new JVM with this test's class path. */
    private static ProcessBuilder childJvm(List<String> args, Path log) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    @Test
    void aRunKilledAfterItsFirstCheckpointResumesToTheUninterruptedModel() throws Exception {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 60_000, 11);
        Path wholeOut = dir.resolve("whole");
        CliRun whole =
                CliRun.run("", args(corpus, wholeOut, dir.resolve("whole.ckpt")).toArray(String[]::new));
        assertEquals(0, whole.exitCode(), whole.err());

        Path ckpt = dir.resolve("killed.ckpt");
        Path out = dir.resolve("killed");
        Path log = dir.resolve("child.log");
        Process child = childJvm(args(corpus, out, ckpt), log).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ckpt) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
        assertTrue(Files.exists(ckpt), "no checkpoint appeared: " + Files.readString(log));
        assertNotEquals(0, child.exitValue(), "the child finished before it was killed: " + Files.readString(log));
        int done = Integer.parseInt(Safetensors.metadata(ckpt).get("epochs_done"));
        assertTrue(done >= 1 && done < EPOCHS, "killed after epoch " + done + " of " + EPOCHS);

        List<String> resume = args(corpus, out, ckpt);
        resume.add("--resume");
        CliRun resumed = CliRun.run("", resume.toArray(String[]::new));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(
                -1L,
                Files.mismatch(Path.of(wholeOut + ".bin"), Path.of(out + ".bin")),
                "the resumed run's vectors differ from the uninterrupted run's (resumed after epoch " + done + ")");
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(ckpt).get("epochs_done"));
    }

    @Test
    void resumeWithOtherSettingsIsRefusedInOneLine() throws Exception {
        Path corpus = TopicCorpus.write(dir.resolve("small.txt"), 2_000, 5);
        Path ckpt = dir.resolve("c.ckpt");
        List<String> first = args(corpus, dir.resolve("a"), ckpt);
        first.set(first.indexOf("--epochs") + 1, "1");
        assertEquals(0, CliRun.run("", first.toArray(String[]::new)).exitCode());
        List<String> other = args(corpus, dir.resolve("b"), ckpt);
        other.set(other.indexOf("--epochs") + 1, "1");
        other.set(other.indexOf("--dim") + 1, "16");
        other.add("--resume");
        CliRun r = CliRun.run("", other.toArray(String[]::new));
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("other settings"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void trainClassifierResumedFromItsLastCheckpointSavesTheSameModel() throws Exception {
        String train = ClassifierFixtures.resource("trec-400.train.txt").toString();
        Path ckpt = dir.resolve("classifier.ckpt");
        List<String> common = List.of(
                "train-classifier", "--train", train, "--epoch", "3", "--dim", "16", "--bucket", "20000", "--quiet");
        List<String> first = new ArrayList<>(common);
        first.addAll(List.of("--output", dir.resolve("a.e4jc").toString(), "--checkpoint", ckpt.toString()));
        CliRun a = CliRun.run("", first.toArray(String[]::new));
        assertEquals(0, a.exitCode(), a.err());
        assertEquals("3", Safetensors.metadata(ckpt).get("epochs_done"));
        List<String> again = new ArrayList<>(common);
        again.addAll(
                List.of("--output", dir.resolve("b.e4jc").toString(), "--checkpoint", ckpt.toString(), "--resume"));
        CliRun b = CliRun.run("", again.toArray(String[]::new));
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(-1L, Files.mismatch(dir.resolve("a.e4jc"), dir.resolve("b.e4jc")));

        List<String> noFile = new ArrayList<>(common);
        noFile.addAll(List.of("--output", dir.resolve("c.e4jc").toString(), "--resume"));
        CliRun c = CliRun.run("", noFile.toArray(String[]::new));
        assertNotEquals(0, c.exitCode());
        assertTrue(c.err().contains("--resume needs --checkpoint"), c.err());
    }
}
