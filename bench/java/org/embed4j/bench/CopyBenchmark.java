package org.embed4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's memory-bandwidth roof, STREAM "copy" style (see {@link StreamCopy}), run by the embedding and
 * xent suites in the same JMH run as the kernels they compare with it. Score: µs per 256 MiB copy.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CopyBenchmark {
    private StreamCopy copy;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        copy = new StreamCopy(EmbeddingBenchmark.threads());
        copy.check();
    }

    @Benchmark
    public void copy() throws Exception {
        copy.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        copy.close();
    }
}
