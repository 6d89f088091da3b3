package org.embed4j.bench.gpu;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The device time of a benchmark's launches, as JMH secondary results summed over an iteration:
 * {@code <benchmark>:gpuNanos} (CUDA-event time), {@code <benchmark>:launches} (timed launches) and
 * {@code <benchmark>:work} (what those launches had to do, in the benchmark's unit: the fewest bytes a
 * bandwidth-bound kernel must move, the floating-point operations of a GEMM, the words of a word2vec chunk).
 * bench/suites/gpu.sh divides work by gpuNanos (bytes per ns are GB/s). JMH's own score, host time per call with the
 * wait for the second event, is an upper bound of the device time.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class GpuTime {
    /** CUDA-event nanoseconds of this iteration's launches. */
    public double gpuNanos;

    /** Launches timed in this iteration. */
    public long launches;

    /** Work of this iteration's launches (bytes, FLOPs or words, per benchmark). */
    public double work;

    @Setup(Level.Iteration)
    public void clear() {
        gpuNanos = 0;
        launches = 0;
        work = 0;
    }

    void add(double nanos, double launchWork) {
        gpuNanos += nanos;
        launches++;
        work += launchWork;
    }
}
