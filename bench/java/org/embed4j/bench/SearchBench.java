package org.embed4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.embed4j.classify.ClassifierMetrics;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;
import org.embed4j.cli.data.Datasets;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.vectors.BatchedSearcher;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.Hits;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * The search suite's measurements, one subcommand each, printing RESULT lines (bench/suites/search.sh):
 * <ul>
 *   <li>{@code exact <vectors.e4jv> <seconds> <window-us>}: 8 closed-loop client threads for the given seconds each way:
 *       anchor = one float top-k pass per query ({@link ExactSearch} float, one query a call), ours =
 *       {@link BatchedSearcher} over the int8 scan; then the fraction of 1000 queries whose top-10 (ids in order)
 *       equals the float search's; the log line adds the process CPU milliseconds per query of both loops (all
 *       threads: a figure that a busy machine skews far less than q/s);</li>
 *   <li>{@code hnsw <vectors.e4jv> <sentences.txt> <rows> <dir>}: a text index over the first rows sentences, its HNSW
 *       graph (build seconds, bytes; with REUSE=1 the index and graph of an earlier run of the same size are reused),
 *       recall@10 against exact search for 500 held-out sentences and both q/s with every core busy (an exact search
 *       splits its scan over the cores; graph searches run on one caller thread per core; best of three passes) for
 *       each ef of a sweep; the reported operating point is the smallest ef whose
 *       recall@10 reaches 0.95 (ann-benchmarks' way of comparing at a recall);</li>
 *   <li>{@code knn <vectors.e4jv> <classify-root> <set>...}: k-NN (k = 10, majority label, ties to the best-ranked)
 *       through a text index of the training texts, against a fastText-style classifier on the same split.</li>
 * </ul>
 * Query vectors are rows of the collection plus Gaussian noise (so that they are near, but not on, stored rows).
 */
public final class SearchBench {
    /** The efs tried for the HNSW operating point, smallest first. */
    static final int[] EF_SWEEP = {10, 16, 24, 32, 40, 48, 56, 64, 72, 80, 90, 100, 128, 160, 200};

    /** The recall@10 the HNSW operating point must reach. */
    private static final double RECALL_TARGET = 0.95;

    private SearchBench() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "exact" -> exact(Path.of(args[1]), Double.parseDouble(args[2]), Long.parseLong(args[3]));
            case "hnsw" -> hnsw(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            case "knn" ->
                knn(Path.of(args[1]), Path.of(args[2]), "1".equals(args[3]), Arrays.copyOfRange(args, 4, args.length));
            default -> throw new IllegalArgumentException("unknown subcommand " + args[0]);
        }
    }

    private static float[] queries(WordVectors v, int n, long seed) {
        Random r = new Random(seed);
        int d = v.dim();
        float[] q = new float[n * d];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            v.vector(r.nextInt(v.size()), row, 0);
            double norm = 0;
            for (float x : row) {
                norm += x * x;
            }
            float sd = (float) (0.3 * Math.sqrt(norm / d));
            for (int j = 0; j < d; j++) {
                q[i * d + j] = row[j] + sd * (float) r.nextGaussian();
            }
        }
        return q;
    }

    /** Queries per second and process CPU milliseconds per query of a closed loop. */
    record Loop(double qps, double cpuMsPerQuery) {}

    /** The process's CPU time so far (all threads, native ones too), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** {@code threads} threads calling {@code call} for {@code seconds}: q/s and process CPU per query. */
    private static Loop closedLoop(int threads, double seconds, float[] q, int d, QueryCall call) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        int n = q.length / d;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    int i = id;
                    while (!stop.get()) {
                        call.run(Arrays.copyOfRange(q, (i % n) * d, (i % n) * d + d));
                        done.increment();
                        i += threads;
                    }
                    return null;
                }));
            }
            long cpu0 = processCpuNanos();
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            for (Future<?> f : fs) {
                f.get();
            }
            long n0 = done.sum();
            return new Loop(n0 / ((System.nanoTime() - t0) / 1e9), (processCpuNanos() - cpu0) / 1e6 / n0);
        }
    }

    @FunctionalInterface
    interface QueryCall {
        void run(float[] q) throws Exception;
    }

    private static void exact(Path model, double seconds, long windowMicros) throws Exception {
        WordVectors v = VectorsIO.read(model);
        int d = v.dim();
        ExactSearch flat = ExactSearch.of(v);
        long t0 = System.nanoTime();
        ExactSearch int8 = flat.withInt8();
        System.err.printf(Locale.ROOT, "search: %s, quantized in %.2f s%n", int8, (System.nanoTime() - t0) / 1e9);
        float[] q = queries(v, 4096, 1);
        closedLoop(8, seconds / 4, q, d, x -> flat.search(x, 1, 10)); // warm-up
        Loop anchorLoop = closedLoop(8, seconds, q, d, x -> flat.search(x, 1, 10));
        double anchor = anchorLoop.qps();
        Loop oursLoop;
        long batches;
        long answered;
        try (BatchedSearcher b = new BatchedSearcher(int8, Duration.ofNanos(windowMicros * 1000), 64)) {
            closedLoop(8, seconds / 4, q, d, x -> b.search(x, 10));
            long b0 = b.batches();
            long a0 = b.answered();
            oursLoop = closedLoop(8, seconds, q, d, x -> b.search(x, 10));
            batches = b.batches() - b0;
            answered = b.answered() - a0;
        }
        double ours = oursLoop.qps();
        System.err.printf(
                Locale.ROOT,
                "search: exact c8 anchor %.0f q/s (process CPU %.3f ms/query), batched int8 %.0f q/s (%.3f ms/query),"
                        + " mean batch %.2f, window %d us, int8 fallbacks %d of %d queries%n",
                anchor,
                anchorLoop.cpuMsPerQuery(),
                ours,
                oursLoop.cpuMsPerQuery(),
                answered / (double) batches,
                windowMicros,
                int8.fallbacks(),
                int8.queries());
        System.out.printf(
                Locale.ROOT,
                "RESULT search exact_qps_c8 ours=%.0f anchor=%.0f ratio=%.2f unit=q/s%n",
                ours,
                anchor,
                ours / anchor);
        int n = 1000;
        float[] aq = queries(v, n, 2);
        Hits want = flat.search(aq, n, 10);
        Hits got = int8.search(aq, n, 10);
        int same = 0;
        for (int j = 0; j < n; j++) {
            same += Arrays.equals(want.rows(j), got.rows(j)) ? 1 : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT search exact_agreement ours=%.4f anchor=na ratio=na unit=fraction%n",
                same / (double) n);
    }

    private static void hnsw(Path model, Path sentences, int rows, Path dir) throws Exception {
        WordVectors v = VectorsIO.read(model);
        List<String> lines;
        try (var s = Files.lines(sentences)) {
            lines = s.limit(rows + 500L).toList();
        }
        int n = Math.min(rows, lines.size() - 500);
        List<TextIndex.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(new TextIndex.Entry(Integer.toString(i), lines.get(i), null));
        }
        HnswIndex.Options graphOptions = graphOptions();
        String name = "sentences-" + n
                + (graphOptions.equals(HnswIndex.Options.defaults())
                        ? ""
                        : "-m" + graphOptions.maxConn() + "-b" + graphOptions.beamWidth()
                                + (graphOptions.bits() == 32 ? "" : "-q" + graphOptions.bits())
                                + (graphOptions.buildThreads() == 1 ? "" : "-t" + graphOptions.buildThreads()));
        Path file = dir.resolve(name + ".e4ji");
        Path graphDir = HnswIndex.besideModel(file);
        Path buildLog = dir.resolve(name + ".build.txt");
        boolean reuse = "1".equals(System.getenv("REUSE"))
                && Files.isRegularFile(file)
                && Files.isDirectory(graphDir)
                && Files.isRegularFile(buildLog);
        TextIndex built;
        if (reuse) {
            // exact: the graph is opened on its own below
            built = TextIndex.open(file, v, true);
            System.err.printf(
                    Locale.ROOT,
                    "search: %s and its HNSW graph reused (%s)%n",
                    file,
                    Files.readString(buildLog).strip());
        } else {
            long t0 = System.nanoTime();
            built = TextIndex.build(v, entries, TextIndex.Options.defaults());
            built.write(file);
            double encodeSecs = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long bytes = built.buildGraph(graphDir, graphOptions);
            double buildSecs = (System.nanoTime() - t0) / 1e9;
            String line = String.format(
                    Locale.ROOT,
                    "%d sentences encoded in %.1f s, HNSW (M %d, beam %d, %d bits, %d build threads) built in %.1f s"
                            + " (%d bytes), load %s",
                    n,
                    encodeSecs,
                    graphOptions.maxConn(),
                    graphOptions.beamWidth(),
                    graphOptions.bits(),
                    graphOptions.buildThreads(),
                    buildSecs,
                    bytes,
                    Files.readString(Path.of("/proc/loadavg")).strip());
            Files.writeString(buildLog, line + "\n");
            System.err.println("search: " + line);
            System.out.printf(
                    Locale.ROOT, "RESULT search hnsw_build_seconds ours=%.1f anchor=na ratio=na unit=s%n", buildSecs);
        }
        List<float[]> qs = new ArrayList<>();
        for (String t : lines.subList(n, n + 500)) {
            try {
                qs.add(built.encode(t));
            } catch (IllegalArgumentException e) {
                // a held-out sentence with no known word is no query
            }
        }
        try (HnswIndex graph = HnswIndex.open(graphDir)) {
            ExactSearch exact = built.exactSearch();
            int d = v.dim();
            List<Hits> truth = new ArrayList<>();
            for (float[] q : qs) {
                truth.add(exact.search(q, 1, 10));
            }
            // every core busy either way: an exact search splits its scan over the cores; graph searches are
            // single-threaded, so one caller thread per core runs them
            Loop exactLoop = bestQps(qs, q -> exact.search(q, 1, 10), 1);
            double exactQps = exactLoop.qps();
            int cores = Runtime.getRuntime().availableProcessors();
            // the operating point: the smallest ef of the sweep whose recall@10 reaches the target
            int chosenEf = -1;
            double chosenRecall = 0;
            double chosenQps = 0;
            for (int ef : EF_SWEEP) {
                double recall = recall(graph, qs, truth, ef);
                Loop loop = bestQps(qs, q -> graph.search(q, 10, ef), cores);
                double qps = loop.qps();
                logPoint("ef", ef, recall, loop, exactLoop);
                if (chosenEf < 0 && recall >= RECALL_TARGET) {
                    chosenEf = ef;
                    chosenRecall = recall;
                    chosenQps = qps;
                }
            }
            if (chosenEf < 0) {
                System.out.printf(
                        Locale.ROOT,
                        "NOTE search hnsw_recall10 n/a: no ef up to %d reaches recall@10 %.2f%n",
                        EF_SWEEP[EF_SWEEP.length - 1],
                        RECALL_TARGET);
            } else {
                System.err.printf(Locale.ROOT, "search: operating point ef=%d%n", chosenEf);
                System.out.printf(
                        Locale.ROOT,
                        "RESULT search hnsw_recall10 ours=%.4f anchor=%.2f ratio=%.3f unit=recall%n",
                        chosenRecall,
                        RECALL_TARGET,
                        chosenRecall / RECALL_TARGET);
                System.out.printf(
                        Locale.ROOT,
                        "RESULT search hnsw_vs_exact_qps ours=%.0f anchor=%.0f ratio=%.2f unit=q/s%n",
                        chosenQps,
                        exactQps,
                        chosenQps / exactQps);
            }
            if (reuse) {
                System.out.println(
                        "NOTE search hnsw_build_seconds n/a: the graph of an earlier run was reused (REUSE=1);"
                                + " its build time is in " + buildLog);
            }
            long bytes = directoryBytes(graphDir);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT search hnsw_index_bytes ours=%d anchor=%d ratio=%.2f unit=bytes%n",
                    bytes,
                    (long) n * d * 4,
                    (long) n * d * 4 / (double) bytes);
        }
    }

    /**
     * The graph settings: SEARCH_HNSW_M, SEARCH_HNSW_BEAM, SEARCH_HNSW_BITS and SEARCH_HNSW_THREADS (build threads)
     * when set, else M 32, beam 200, float vectors, one build thread: on the 1M collection these reach recall 0.95 at
     * about half the ef of the index's defaults (M 16, beam 100), and one thread lays the documents out in locality
     * order (docs/search.md).
     */
    private static HnswIndex.Options graphOptions() {
        return new HnswIndex.Options(
                env("SEARCH_HNSW_M", 32),
                env("SEARCH_HNSW_BEAM", 200),
                env("SEARCH_HNSW_BITS", 32),
                env("SEARCH_HNSW_THREADS", 1));
    }

    private static int env(String name, int otherwise) {
        String v = System.getenv(name);
        return v == null ? otherwise : Integer.parseInt(v);
    }

    /** One point of a sweep: recall, q/s and CPU per query against exact search's. */
    private static void logPoint(String what, int ef, double recall, Loop graph, Loop exact) {
        System.err.printf(
                Locale.ROOT,
                "search: hnsw %s=%d recall@10 %.4f, %.0f q/s (%.3f ms CPU/query); exact %.0f q/s (%.3f ms CPU/query);"
                        + " %.1fx by q/s, %.1fx by CPU%n",
                what,
                ef,
                recall,
                graph.qps(),
                graph.cpuMsPerQuery(),
                exact.qps(),
                exact.cpuMsPerQuery(),
                graph.qps() / exact.qps(),
                exact.cpuMsPerQuery() / graph.cpuMsPerQuery());
    }

    /** recall@10 of the graph at {@code ef} against the exact answers. */
    static double recall(HnswIndex graph, List<float[]> qs, List<Hits> truth, int ef) {
        int hit = 0;
        int total = 0;
        for (int i = 0; i < qs.size(); i++) {
            Hits h = graph.search(qs.get(i), 10, ef);
            Set<Integer> t = new HashSet<>();
            for (int r : truth.get(i).rows(0)) {
                t.add(r);
            }
            total += t.size();
            for (int r : h.rows(0)) {
                hit += t.contains(r) ? 1 : 0;
            }
        }
        return hit / (double) total;
    }

    /**
     * Queries per second over {@code qs} with {@code threads} caller threads taking the queries in turn from a shared
     * counter: the best of three timed passes after one warm-up pass; the process CPU per query is the mean over the
     * three. A pass answers the list {@code rounds} times, as many as make the warm-up pass last {@link #MIN_PASS_NANOS}
     * (a list of fast searches takes ~0.1 s, too short to time steadily).
     */
    static Loop bestQps(List<float[]> qs, Consumer<float[]> search, int threads) throws Exception {
        double best = 0;
        long cpu = 0;
        long rounds = 1;
        long measured = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int pass = 0; pass < 4; pass++) {
                long total = rounds * qs.size();
                AtomicLong next = new AtomicLong();
                long t0 = System.nanoTime();
                long cpu0 = processCpuNanos();
                List<Future<?>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    parts.add(pool.submit(() -> {
                        for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                            search.accept(qs.get((int) (i % qs.size())));
                        }
                    }));
                }
                for (Future<?> f : parts) {
                    f.get();
                }
                long nanos = System.nanoTime() - t0;
                if (pass == 0) {
                    rounds = Math.max(1, (MIN_PASS_NANOS + nanos - 1) / Math.max(1, nanos));
                    continue;
                }
                best = Math.max(best, total / (nanos / 1e9));
                cpu += processCpuNanos() - cpu0;
                measured += total;
            }
        }
        return new Loop(best, cpu / 1e6 / measured);
    }

    /** The least time a timed pass of {@link #bestQps} lasts. */
    private static final long MIN_PASS_NANOS = 1_000_000_000L;

    private static long directoryBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            long sum = 0;
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                sum += Files.size(f);
            }
            return sum;
        }
    }

    /** With {@code quick}, the vectors come from one epoch on a small prefix: accuracies are logged, not compared. */
    private static void knn(Path model, Path classifyRoot, boolean quick, String[] sets) throws Exception {
        WordVectors v = VectorsIO.read(model);
        for (String set : sets) {
            Splits.Fold fold = Datasets.load(set, classifyRoot).trainTest(42);
            List<TextIndex.Entry> entries = new ArrayList<>();
            for (LabeledText t : fold.train()) {
                entries.add(new TextIndex.Entry(Integer.toString(entries.size()), t.text(), t.label()));
            }
            TextIndex index = TextIndex.build(v, entries, TextIndex.Options.defaults());
            int correct = 0;
            for (LabeledText t : fold.test()) {
                List<TextIndex.Match> m;
                try {
                    m = index.search(t.text(), 10);
                } catch (IllegalArgumentException e) {
                    continue; // no known word: counted wrong
                }
                correct += majority(m).equals(t.label()) ? 1 : 0;
            }
            double ours = 100.0 * correct / fold.test().size();
            var classifier = new FastTextTrainer(ClassifierOptions.DEFAULTS).train(fold.train());
            double anchor =
                    100 * ClassifierMetrics.evaluate(classifier, fold.test(), 1).accuracy();
            System.err.printf(
                    Locale.ROOT,
                    "search: %s k-NN %.2f%% vs fastText-style %.2f%% (%d train, %d test)%n",
                    set,
                    ours,
                    anchor,
                    fold.train().size(),
                    fold.test().size());
            String name = "knn_accuracy_" + set.replace('-', '_');
            if (quick) {
                System.out.println("NOTE search " + name + " n/a: quick mode's vectors (1 epoch on the collection"
                        + " prefix) are too weak for the comparison to mean anything");
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "RESULT search %s ours=%.2f anchor=%.2f ratio=%.4f unit=%%%n",
                        name,
                        ours,
                        anchor,
                        ours / anchor);
            }
        }
    }

    /** The most frequent label of the matches; ties go to the label whose best match ranks first. */
    static String majority(List<TextIndex.Match> matches) {
        Map<String, Integer> votes = new HashMap<>();
        for (TextIndex.Match m : matches) {
            votes.merge(String.valueOf(m.label()), 1, Integer::sum);
        }
        String best = null;
        for (TextIndex.Match m : matches) {
            String l = String.valueOf(m.label());
            if (best == null || votes.get(l) > votes.get(best)) {
                best = l;
            }
        }
        return best == null ? "" : best;
    }
}
