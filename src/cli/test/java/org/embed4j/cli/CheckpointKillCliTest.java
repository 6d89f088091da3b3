package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.TopicCorpus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash-safe training end to end: {@code train-vectors} and {@code train-classifier} with {@code --checkpoint-every}
 * run in a child JVM that is killed (SIGKILL) as soon as its first, mid-epoch, checkpoint appears; {@code --resume}
 * then finishes the run, and its model file is byte for byte the one of an uninterrupted run (one thread). A child
 * whose file-size limit ({@code ulimit -f}: writes past it fail with EFBIG, and the JVM ignores SIGXFSZ) is below the
 * checkpoint's size stops with a one-line error and leaves the good checkpoint as it was; so does one whose checkpoint
 * is on a full file system (a small tmpfs in a private user and mount namespace, where the machine allows one). A checkpoint of other
 * settings is refused in one line; a malformed {@code --checkpoint-every} too; {@code train-classifier} writes its
 * checkpoint after every epoch by default and resumes from it to the same model file.
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

    /** train-vectors with a checkpoint every 250k words: four or five per epoch of the 60k-line corpus. */
    private List<String> midEpochArgs(Path corpus, Path out, Path checkpoint) {
        List<String> a = args(corpus, out, checkpoint);
        a.addAll(List.of("--checkpoint-every", "250kw"));
        return a;
    }

    private static final List<String> CLASSIFIER_ARGS = List.of(
            "train-classifier",
            "--epoch",
            "60",
            "--dim",
            "32",
            "--bucket",
            "20000",
            "--threads",
            "1",
            "--checkpoint-every",
            "3kw",
            "--quiet");

    private static List<String> classifierArgs(Path out, Path checkpoint, String... more) {
        List<String> a = new ArrayList<>(CLASSIFIER_ARGS);
        a.addAll(List.of(
                "--train",
                ClassifierFixtures.resource("trec-400.train.txt").toString(),
                "--output",
                out.toString(),
                "--checkpoint",
                checkpoint.toString()));
        a.addAll(List.of(more));
        return a;
    }

    /**
     * Starts the embed4j command line in a child JVM, waits for {@code checkpoint} to appear and kills the child
     * (SIGKILL); asserts that it was killed before it finished.
     */
    private void killAfterTheFirstCheckpoint(List<String> args, Path checkpoint) throws Exception {
        Path log = dir.resolve("child-" + checkpoint.getFileName() + ".log");
        Process child = childJvm(args, log).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(checkpoint) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
        assertTrue(Files.exists(checkpoint), "no checkpoint appeared: " + Files.readString(log));
        assertNotEquals(0, child.exitValue(), "the child finished before it was killed: " + Files.readString(log));
    }

    /** Whether a classifier checkpoint was taken mid-epoch (it keeps the parts' positions). */
    private static boolean classifierMidEpoch(Path checkpoint) throws Exception {
        Map<String, Tensor> t = Safetensors.read(checkpoint);
        try {
            return t.containsKey("part_position");
        } finally {
            t.values().forEach(Tensor::close);
        }
    }

    /** The embed4j command line in a new JVM with this test's class path. */
    private static ProcessBuilder childJvm(List<String> args, Path log) {
        return new ProcessBuilder(childCommand(args)).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    private static List<String> childCommand(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-XX:-UsePerfData", // no hsperfdata file to write under a file-size limit
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    @Test
    void aRunKilledAfterItsFirstMidEpochCheckpointResumesToTheUninterruptedModel() throws Exception {
        Path corpus = TopicCorpus.write(dir.resolve("topics.txt"), 60_000, 11);
        Path wholeOut = dir.resolve("whole");
        CliRun whole = CliRun.run(
                "", midEpochArgs(corpus, wholeOut, dir.resolve("whole.ckpt")).toArray(String[]::new));
        assertEquals(0, whole.exitCode(), whole.err());

        Path ckpt = dir.resolve("killed.ckpt");
        Path out = dir.resolve("killed");
        killAfterTheFirstCheckpoint(midEpochArgs(corpus, out, ckpt), ckpt);
        Map<String, String> at = Safetensors.metadata(ckpt);
        int epoch = Integer.parseInt(at.get("epochs_done"));
        assertTrue(epoch < EPOCHS && !at.get("chunks_done").equals("0"), "not a mid-epoch checkpoint: " + at);

        List<String> resume = midEpochArgs(corpus, out, ckpt);
        resume.add("--resume");
        CliRun resumed = CliRun.run("", resume.toArray(String[]::new));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(
                -1L,
                Files.mismatch(Path.of(wholeOut + ".bin"), Path.of(out + ".bin")),
                "the resumed run's vectors differ from the uninterrupted run's (resumed in epoch " + (epoch + 1)
                        + " after chunk " + at.get("chunks_done") + ")");
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(ckpt).get("epochs_done"));
    }

    @Test
    void trainClassifierKilledAfterAMidEpochCheckpointResumesToTheUninterruptedModel() throws Exception {
        Path whole = dir.resolve("whole.e4jc");
        CliRun a =
                CliRun.run("", classifierArgs(whole, dir.resolve("whole.ckpt")).toArray(String[]::new));
        assertEquals(0, a.exitCode(), a.err());

        Path ckpt = dir.resolve("killed-classifier.ckpt");
        Path out = dir.resolve("resumed.e4jc");
        killAfterTheFirstCheckpoint(classifierArgs(out, ckpt), ckpt);
        assertTrue(classifierMidEpoch(ckpt), "not a mid-epoch checkpoint: " + Safetensors.metadata(ckpt));
        String tokens = Safetensors.metadata(ckpt).get("tokens_done");

        CliRun b = CliRun.run("", classifierArgs(out, ckpt, "--resume").toArray(String[]::new));
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(
                -1L,
                Files.mismatch(whole, out),
                "the resumed model differs from the uninterrupted one (resumed after " + tokens + " tokens)");
        assertEquals("60", Safetensors.metadata(ckpt).get("epochs_done"));
    }

    @Test
    void aCheckpointWrittenPastTheFileSizeLimitLeavesTheGoodOneAndStopsInOneLine() throws Exception {
        Assumptions.assumeTrue(
                System.getProperty("os.name").startsWith("Linux") && Files.isExecutable(Path.of("/bin/bash")),
                "needs Linux and bash for ulimit -f");
        Path ckpt = dir.resolve("full.ckpt");
        Path out = dir.resolve("full.e4jc");
        killAfterTheFirstCheckpoint(classifierArgs(out, ckpt), ckpt);
        byte[] good = Files.readAllBytes(ckpt);
        long limitKb = good.length / 1024 / 2; // half the checkpoint: its next write fails with EFBIG
        assertTrue(limitKb >= 32, "the checkpoint is too small for the test: " + good.length + " bytes");

        List<String> cmd =
                new ArrayList<>(List.of("/bin/bash", "-c", "ulimit -f " + limitKb + " && exec \"$@\"", "bash"));
        cmd.addAll(childCommand(classifierArgs(out, ckpt, "--resume")));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not end: " + output);

        assertEquals(1, child.exitValue(), "not a clean failure (a signal is 128 + its number): " + output);
        List<String> errors = output.lines()
                .filter(l -> l.startsWith("embed4j train-classifier:"))
                .toList();
        assertEquals(1, errors.size(), output);
        String error = errors.get(0);
        assertTrue(error.contains("cannot save checkpoint " + ckpt), error);
        assertTrue(error.contains("File too large"), error);
        assertTrue(error.contains("still holds the previous checkpoint"), error);
        assertArrayEquals(good, Files.readAllBytes(ckpt), "the good checkpoint was replaced");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp"))
                    .toList();
            assertEquals(List.of(), left, "temporary files were left beside the checkpoint");
        }
        assertFalse(Files.exists(out), "a model was saved by the run that failed");
    }

    @Test
    void aCheckpointWrittenToAFullFileSystemLeavesTheGoodOneAndStopsInOneLine() throws Exception {
        // a private, size-limited tmpfs in a user and mount namespace: a real ENOSPC, where the machine allows it
        Path mnt = Files.createDirectories(dir.resolve("small-fs"));
        Assumptions.assumeTrue(
                new ProcessBuilder("unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs " + mnt)
                                .redirectErrorStream(true)
                                .start()
                                .waitFor()
                        == 0,
                "no user namespaces or tmpfs mounts here");
        Path ckpt = dir.resolve("good.ckpt");
        killAfterTheFirstCheckpoint(classifierArgs(dir.resolve("never.e4jc"), ckpt), ckpt);
        long sizeKb = Files.size(ckpt) * 3 / 2 / 1024; // room for the good checkpoint, not for a second one beside it
        Path inside = mnt.resolve("c.ckpt");
        List<String> java = childCommand(classifierArgs(mnt.resolve("m.e4jc"), inside, "--resume"));
        // the checks run in the namespace: the file system is gone when it ends
        String script = "mount -t tmpfs -o size=" + sizeKb + "k tmpfs \"$1\" && cp \"$2\" \"$1/c.ckpt\" || exit 90\n"
                + "shift 2; \"$@\"; rc=$?\n"
                + "cmp -s \"$GOOD\" \"$MNT/c.ckpt\" || exit 91\n"
                + "[ \"$(ls -A \"$MNT\")\" = c.ckpt ] || exit 92\n"
                + "exit $rc\n";
        List<String> cmd =
                new ArrayList<>(List.of("unshare", "-rm", "sh", "-c", script, "sh", mnt.toString(), ckpt.toString()));
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GOOD", ckpt.toString());
        pb.environment().put("MNT", mnt.toString());
        Process child = pb.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not end: " + output);
        assertNotEquals(91, child.exitValue(), "the good checkpoint was replaced: " + output);
        assertNotEquals(92, child.exitValue(), "files were left beside the checkpoint: " + output);
        assertEquals(1, child.exitValue(), output);
        List<String> errors = output.lines()
                .filter(l -> l.startsWith("embed4j train-classifier:"))
                .toList();
        assertEquals(1, errors.size(), output);
        assertTrue(errors.get(0).contains("No space left on device"), errors.get(0));
        assertTrue(errors.get(0).contains("still holds the previous checkpoint"), errors.get(0));
    }

    @Test
    void aMalformedCheckpointIntervalIsRefusedInOneLine() throws Exception {
        Path corpus = TopicCorpus.write(dir.resolve("tiny.txt"), 200, 5);
        for (String[] bad : List.of(
                new String[] {"--checkpoint-every", "10x", "10x"},
                new String[] {"--checkpoint-every", "0w", "0w"},
                new String[] {"--checkpoint-every", "5m", "needs --checkpoint"})) {
            List<String> a = args(corpus, dir.resolve("bad"), dir.resolve("bad.ckpt"));
            if (bad[2].startsWith("needs")) {
                int at = a.indexOf("--checkpoint");
                a.remove(at + 1);
                a.remove(at);
            }
            a.addAll(List.of(bad[0], bad[1]));
            CliRun r = CliRun.run("", a.toArray(String[]::new));
            assertNotEquals(0, r.exitCode(), String.join(" ", bad));
            assertTrue(r.err().contains("--checkpoint-every") && r.err().contains(bad[2]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        CliRun glove = CliRun.run(
                "",
                "train-vectors",
                "--model",
                "glove",
                "--input",
                corpus.toString(),
                "--output",
                dir.resolve("g").toString(),
                "--checkpoint",
                dir.resolve("g.ckpt").toString(),
                "--checkpoint-every",
                "1Mw");
        assertNotEquals(0, glove.exitCode());
        assertTrue(glove.err().contains("GloVe saves its checkpoint after every epoch"), glove.err());
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
