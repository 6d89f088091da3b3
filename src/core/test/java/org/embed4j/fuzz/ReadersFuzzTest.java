package org.embed4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.embed4j.testing.TestFiles;
import org.embed4j.testing.fuzz.Fuzzer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every reader of untrusted input in embed4j-core ({@link ReaderTargets}): word2vec text and binary, .vec,
 * GloVe, safetensors, .e4jv, format detection, .e4jq, .e4jc, the MLP file, labeled-text data sets and the evaluation
 * files, word2vec vocabulary files. Each target first reads its checked-in seeds (all must read without error), then mutants of them for its
 * budget: 1000 mutants (at most 2 s) a target in the test suite, {@code -Dembed4j.fuzz.seconds=N} (ci/fuzz.sh) for a
 * long run. The property is {@link Fuzzer}'s: every input ends in a model or a one-line error that names the file;
 * never another exception, an Error, a hang, a heap allocation out of proportion to the input or a non-finite answer.
 */
class ReadersFuzzTest {
    private static final System.Logger LOG = System.getLogger(ReadersFuzzTest.class.getName());

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyReaderSurvivesMutatedInput() {
        Map<String, Fuzzer> targets = new ReaderTargets(dir).all();
        return targets.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> fuzz(e.getKey(), e.getValue())));
    }

    private static void fuzz(String name, Fuzzer fuzzer) throws IOException {
        List<byte[]> seeds = Fuzzer.seeds(
                TestFiles.repoRoot().resolve("src/core/test/resources/fuzz").resolve(name));
        Fuzzer.Options options = Fuzzer.Options.fromSystemProperties(2, 1000);
        for (byte[] seed : seeds) {
            assertNull(fuzzer.replay(seed, options), name + ": a seed does not read");
        }
        Fuzzer.Report r = fuzzer.run(seeds, options);
        LOG.log(
                System.Logger.Level.INFO,
                "fuzz {0}: {1} inputs, {2} read, {3} findings",
                name,
                r.inputs(),
                r.accepted(),
                r.findings().size());
        assertTrue(r.findings().isEmpty(), name + ": " + r.findings());
        assertTrue(r.inputs() > seeds.size(), name + ": no mutant was tried");
        assertTrue(r.accepted() < r.inputs(), name + ": every mutant read, so no check was reached");
    }
}
