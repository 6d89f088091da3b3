package org.embed4j.testing.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A seeded mutation fuzzer for the readers of untrusted input (model files, data sets, request bodies). It runs a
 * {@link Target} on its seed inputs, then on mutants of them ({@link Mutator}) until a time or iteration budget is
 * spent, and checks the property every reader promises: <em>every input ends in a result or in a named, one-line
 * error</em>. A result is whatever the target returns normally (it also uses what it read, and throws an
 * {@link AssertionError} on a non-finite answer); an error is an {@link IOException}, {@link UncheckedIOException},
 * {@link IllegalArgumentException} or a target's own expected type, with a non-blank message of one line that shows
 * no Java class name and, for a reader, names the file it read. A finding
 * is anything else: another exception (an index out of bounds, a negative array size), an {@link Error} (out of
 * memory, stack overflow), a run longer than {@link Options#perInput}, or one that allocates more heap than
 * {@link Options#heapLimit} for its input. Mutants that read without error join the pool, so later mutations go past
 * the checks a random mutant fails first.
 *
 * <p>Deterministic for a given seed and budget in iterations (a time budget makes the iteration count depend on the
 * machine). Reusable, one run at a time. Each finding's input is written to {@code target/fuzz-findings/<target>-<hash>.bin}; re-run one with
 * {@link #replay}. Options come from system properties ({@link Options#fromSystemProperties}): the bounded run in the
 * test suite uses a thousand mutants per target, {@code ci/fuzz.sh} minutes.
 */
public final class Fuzzer {
    /** What is fuzzed: reads (and uses) one input. */
    public interface Target {
        void run(byte[] input) throws Exception;
    }

    /**
     * The budget and limits of a run.
     *
     * @param seed random seed of the mutations
     * @param seconds time budget per target
     * @param iterations most mutants per target
     * @param perInput longest one input may take, in seconds, before it counts as a hang
     * @param heapBase heap bytes any input may allocate, plus {@code heapPerByte} per input byte
     */
    public record Options(
            long seed, double seconds, long iterations, double perInput, long heapBase, long heapPerByte) {
        /**
         * {@code -Dembed4j.fuzz.seconds} (default {@code seconds}), {@code -Dembed4j.fuzz.iterations} (default
         * {@code iterations}), {@code -Dembed4j.fuzz.seed} (default 1).
         */
        public static Options fromSystemProperties(double seconds, long iterations) {
            return new Options(
                    Long.getLong("embed4j.fuzz.seed", 1L),
                    Double.parseDouble(System.getProperty("embed4j.fuzz.seconds", Double.toString(seconds))),
                    Long.getLong("embed4j.fuzz.iterations", iterations),
                    10,
                    64L << 20,
                    256);
        }

        long heapLimit(int inputBytes) {
            return heapBase + heapPerByte * inputBytes;
        }
    }

    /** One input that broke the property. */
    public record Finding(String target, String problem, byte[] input, Path saved) {
        @Override
        public String toString() {
            return target + ": " + problem + " (input of " + input.length + " bytes in " + saved + ")";
        }
    }

    /** What a run did: inputs tried, how many read without error, the findings. */
    public record Report(String target, long inputs, long accepted, List<Finding> findings) {}

    private final String name;
    private final Target target;
    private final List<Class<? extends Throwable>> expected;
    private final String named;
    private ExecutorService worker;

    /**
     * A fuzzer of a reader of the file {@code fileName}: its named errors are IOException, UncheckedIOException and
     * IllegalArgumentException, and their messages must name the file.
     */
    public static Fuzzer ofReader(String name, String fileName, Target target) {
        return new Fuzzer(
                name,
                target,
                List.of(IOException.class, UncheckedIOException.class, IllegalArgumentException.class),
                fileName);
    }

    /**
     * A fuzzer of {@code target} whose named errors are exactly {@code expected}, with messages that contain
     * {@code mustName} (null: any one-line message).
     */
    public Fuzzer(String name, Target target, List<Class<? extends Throwable>> expected, String mustName) {
        this.name = name;
        this.target = target;
        this.expected = List.copyOf(expected);
        this.named = mustName;
    }

    /** The seed inputs of a checked-in folder ({@code src/.../test/resources/fuzz/<name>}), sorted by file name. */
    public static List<byte[]> seeds(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            if (out.isEmpty()) {
                throw new IOException("no seed inputs in " + folder);
            }
            return out;
        }
    }

    /** Runs the seeds, then mutants until the budget is spent; at most 20 findings are kept. */
    public Report run(List<byte[]> seeds, Options o) {
        List<Finding> findings = new ArrayList<>();
        List<byte[]> pool = new ArrayList<>(seeds);
        SplittableRandom random = new SplittableRandom(o.seed());
        Mutator mutator = new Mutator(random);
        long deadline = System.nanoTime() + (long) (o.seconds() * 1e9);
        long inputs = 0;
        long accepted = 0;
        worker = newWorker();
        try {
            for (int i = 0; inputs - seeds.size() < o.iterations() && findings.size() < 20; i++) {
                byte[] input;
                if (i < seeds.size()) {
                    input = seeds.get(i);
                } else if (System.nanoTime() > deadline) {
                    break;
                } else {
                    input = mutator.mutate(
                            pool.get(random.nextInt(pool.size())), pool.get(random.nextInt(pool.size())));
                }
                inputs++;
                String problem = check(input, o);
                if (problem == null) {
                    accepted++;
                    if (i >= seeds.size() && pool.size() < 512 && input.length <= 1 << 20) {
                        pool.add(input);
                    }
                } else if (!problem.isEmpty()) {
                    findings.add(new Finding(name, problem, input, save(input)));
                }
            }
        } finally {
            worker.shutdownNow();
        }
        return new Report(name, inputs, accepted, List.copyOf(findings));
    }

    /** Re-runs one input (a saved finding): null when it reads, "" for a named error, else the problem. */
    public String replay(byte[] input, Options o) {
        worker = newWorker();
        try {
            return check(input, o);
        } finally {
            worker.shutdownNow();
        }
    }

    /** Null: read without error; "": a named error; else what is wrong. */
    private String check(byte[] input, Options o) {
        Future<Throwable> f = worker.submit(() -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            Throwable failure = null;
            try {
                target.run(input);
            } catch (Throwable t) {
                failure = t;
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (failure == null && allocated > o.heapLimit(input.length)) {
                return new AssertionError("allocated " + allocated + " heap bytes for an input of " + input.length);
            }
            return failure;
        });
        Throwable t;
        try {
            t = f.get((long) (o.perInput() * 1000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            return "no answer after " + o.perInput() + " s (a hang?)";
        } catch (ExecutionException e) {
            t = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fuzzing " + name, e);
        }
        if (t == null) {
            return null;
        }
        return expected(t) ? named(t, named) : describe(t);
    }

    private boolean expected(Throwable t) {
        for (Class<? extends Throwable> c : expected) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * "" when the message is a named error (one line, no Java class names, naming {@code mustName} when not null),
     * else what is wrong with it.
     */
    private static String named(Throwable t, String mustName) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "an error without a message: " + describe(t);
        }
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            return "an error message of several lines: " + describe(t);
        }
        if (CLASS_NAME.matcher(m).find()) {
            return "an error message with a Java class name: " + describe(t);
        }
        if (mustName != null && !m.contains(mustName)) {
            return "an error message that does not name " + mustName + ": " + describe(t);
        }
        return "";
    }

    /** A qualified JDK class name or an exception's simple name, as toString() of a wrapped cause shows them. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\bjava\\.[a-z]+\\.|\\b[A-Z]\\w*(Exception|Error)\\b");

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(6, st.length); i++) {
            sb.append(" at ").append(st[i]);
        }
        return sb.toString();
    }

    private Path save(byte[] input) {
        Path dir = Path.of("target", "fuzz-findings");
        String hash = HexFormat.of().toHexDigits(java.util.Arrays.hashCode(input));
        Path p = dir.resolve(name + "-" + hash + ".bin");
        try {
            Files.createDirectories(dir);
            Files.write(p, input);
        } catch (IOException e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
        return p.toAbsolutePath();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
                .name("fuzz-worker")
                .daemon()
                .stackSize(8 << 20)
                .unstarted(r));
    }
}
