package org.embed4j.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.feature.Word2Vec;
import org.apache.spark.ml.feature.Word2VecModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * The driver of bench/suites/spark.sh (not a test): one measurement per JVM, printed as one "BENCH key=value ..."
 * line on stdout (the suite reads it; Spark logs to stderr).
 * <ul>
 *   <li>{@code ours <master> <corpus> <epochs> <partitions> <rounds> <out.e4jv> [average|sum]}:
 *       {@link SparkWord2Vec}, skip-gram,
 *       dim 100, window 5, negative 5, sample 1e-4, min-count 5, the threads of one task = spark.task.cpus (1).</li>
 *   <li>{@code mllib <master> <corpus> <epochs> <partitions> <out.txt>}: Spark MLlib's Word2Vec (skip-gram with
 *       hierarchical softmax, its only mode), vector size 100, window 5, min-count 5, maxIter = epochs; the vectors
 *       written as word2vec text for the same evaluator.</li>
 *   <li>{@code infer <master> <vectors> <texts> <threads>}: {@link TextEmbeddingModel} over the texts (a cached
 *       DataFrame, written to Spark's no-op sink so that every row is computed) against a plain loop of
 *       TextEmbedder calls over the same texts on {@code threads} threads in one JVM; the better of two timed runs
 *       each (the best of three interleaved runs, after a warm-up).</li>
 *   <li>{@code infer-alone <master> <vectors> <texts> <threads> spark|loop}: one side of {@code infer} in a JVM of
 *       its own (the JIT then compiles the embedding for that caller only), best of five runs after a warm-up;
 *       {@code spark} also times a UDF that returns a constant 100-d vector over the same rows (Spark's own cost
 *       per row).</li>
 * </ul>
 * words/s = corpus tokens × epochs / seconds of the fit (vocabulary pass included, session start-up excluded).
 */
public final class SparkBench {
    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err); // Spark and friends print; only the BENCH line goes to stdout
        String mode = args[0];
        SparkSession spark = session(args[1]);
        try {
            String line = switch (mode) {
                case "ours" -> ours(spark, args);
                case "mllib" -> mllib(spark, args);
                case "infer" -> infer(spark, args);
                case "infer-alone" -> inferAlone(spark, args);
                default -> throw new IllegalArgumentException("mode: ours, mllib, infer or infer-alone, got " + mode);
            };
            out.println(line);
        } finally {
            spark.stop();
        }
    }

    private static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("SparkBench")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate();
    }

    private static String ours(SparkSession spark, String[] a) throws IOException {
        Path corpus = Path.of(a[2]);
        int epochs = Integer.parseInt(a[3]);
        int partitions = Integer.parseInt(a[4]);
        int rounds = Integer.parseInt(a[5]);
        Word2VecOptions o = Word2VecOptions.defaults()
                .withDim(100)
                .withWindow(5)
                .withNegative(5)
                .withSample(1e-4)
                .withMinCount(5)
                .withEpochs(epochs);
        JavaRDD<String> lines =
                spark.sparkContext().textFile(corpus.toString(), partitions).toJavaRDD();
        long start = System.nanoTime();
        DataParallel.Merge merge = a.length > 7 ? DataParallel.Merge.parse(a[7]) : DataParallel.DEFAULT_MERGE;
        SparkWord2Vec.Result r = new SparkWord2Vec(o, new DataParallel(partitions, rounds, 0, merge)).fitText(lines);
        double secs = (System.nanoTime() - start) / 1e9;
        VectorsIO.write(r.vectors(), Path.of(a[6]), VectorsFormat.NATIVE);
        return String.format(
                Locale.ROOT,
                "BENCH words=%d seconds=%.3f train_seconds=%.3f rounds=%d vocab=%d",
                r.words(),
                secs,
                r.trainSeconds(),
                r.rounds(),
                r.vocabulary().size());
    }

    private static String mllib(SparkSession spark, String[] a) throws IOException {
        int epochs = Integer.parseInt(a[3]);
        int partitions = Integer.parseInt(a[4]);
        Dataset<Row> tokens = spark.read()
                .text(a[2])
                .select(functions.split(functions.col("value"), " ").as("tokens"))
                .where(functions.size(functions.col("tokens")).gt(0));
        long start = System.nanoTime();
        Word2VecModel m = new Word2Vec()
                .setInputCol("tokens")
                .setVectorSize(100)
                .setWindowSize(5)
                .setMinCount(5)
                .setNumPartitions(partitions)
                .setMaxIter(epochs)
                .setSeed(1)
                .fit(tokens);
        double secs = (System.nanoTime() - start) / 1e9;
        List<Row> vectors = m.getVectors().collectAsList();
        try (Writer w = Files.newBufferedWriter(Path.of(a[5]), StandardCharsets.UTF_8)) {
            w.write(vectors.size() + " 100\n");
            for (Row r : vectors) {
                StringBuilder sb = new StringBuilder(r.getString(0));
                Vector v = r.getAs(1);
                for (int j = 0; j < v.size(); j++) {
                    sb.append(' ').append((float) v.apply(j));
                }
                w.write(sb.append('\n').toString());
            }
        }
        return String.format(Locale.ROOT, "BENCH seconds=%.3f vocab=%d", secs, vectors.size());
    }

    private static String infer(SparkSession spark, String[] a) throws Exception {
        Path vectorsPath = Path.of(a[2]);
        List<String> texts = Files.readAllLines(Path.of(a[3]));
        int threads = Integer.parseInt(a[4]);
        TextEmbedder embedder = new TextEmbedder(VectorsIO.read(vectorsPath));
        Dataset<Row> df = cachedTexts(spark, a[3], threads);
        TextEmbeddingModel model = embeddingModel(vectorsPath);
        double loop = 0;
        double spark2 = 0;
        for (int run = 0; run < 4; run++) { // interleaved, so that both see the same machine; run 0 warms up
            double t = loop(embedder, texts, threads);
            long start = System.nanoTime();
            model.transform(df).write().format("noop").mode("overwrite").save();
            double s = (System.nanoTime() - start) / 1e9;
            if (run > 0) {
                loop = Math.max(loop, texts.size() / t);
                spark2 = Math.max(spark2, texts.size() / s);
            }
        }
        return String.format(
                Locale.ROOT,
                "BENCH texts=%d spark_texts_per_sec=%.0f loop_texts_per_sec=%.0f",
                texts.size(),
                spark2,
                loop);
    }

    private static String inferAlone(SparkSession spark, String[] a) throws Exception {
        Path vectorsPath = Path.of(a[2]);
        int threads = Integer.parseInt(a[4]);
        String side = a[5];
        double best = 0;
        double constant = 0;
        if (side.equals("loop")) {
            List<String> texts = Files.readAllLines(Path.of(a[3]));
            TextEmbedder embedder = new TextEmbedder(VectorsIO.read(vectorsPath));
            for (int run = 0; run < 6; run++) {
                double t = loop(embedder, texts, threads);
                best = run == 0 ? best : Math.max(best, texts.size() / t);
            }
            return String.format(Locale.ROOT, "BENCH texts=%d loop_texts_per_sec=%.0f", texts.size(), best);
        }
        if (!side.equals("spark")) {
            throw new IllegalArgumentException("infer-alone side: spark or loop, got " + side);
        }
        Dataset<Row> df = cachedTexts(spark, a[3], threads);
        long n = df.count();
        TextEmbeddingModel model = embeddingModel(vectorsPath);
        double[] zeros = new double[100];
        UserDefinedFunction fixed =
                functions.udf((UDF1<String, Vector>) t -> Vectors.dense(zeros), SQLDataTypes.VectorType());
        for (int run = 0; run < 6; run++) {
            long start = System.nanoTime();
            df.withColumn("e", fixed.apply(df.col("text")))
                    .write()
                    .format("noop")
                    .mode("overwrite")
                    .save();
            double c = n / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            model.transform(df).write().format("noop").mode("overwrite").save();
            double m = n / ((System.nanoTime() - start) / 1e9);
            if (run > 0) {
                constant = Math.max(constant, c);
                best = Math.max(best, m);
            }
        }
        return String.format(
                Locale.ROOT,
                "BENCH texts=%d spark_texts_per_sec=%.0f constant_udf_texts_per_sec=%.0f",
                n,
                best,
                constant);
    }

    /**
     * The texts as a cached DataFrame of {@code threads * 4} partitions, read from the file as a job would (a
     * DataFrame made from a local list keeps its rows in the plan, and every query then re-plans them on the driver).
     */
    private static Dataset<Row> cachedTexts(SparkSession spark, String texts, int threads) {
        Dataset<Row> df =
                spark.read().text(texts).toDF("text").repartition(threads * 4).cache();
        df.count();
        return df;
    }

    private static TextEmbeddingModel embeddingModel(Path vectors) {
        return new TextEmbeddingModel().setModelPath(vectors.toString()).setInputCol("text");
    }

    /** Seconds for {@code threads} threads to embed their share of the texts. */
    private static double loop(TextEmbedder embedder, List<String> texts, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Double>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = texts.size() * t / threads;
                int to = texts.size() * (t + 1) / threads;
                parts.add(pool.submit(() -> {
                    float[] e = new float[embedder.dim()];
                    double sink = 0;
                    for (String s : texts.subList(from, to)) {
                        embedder.embed(s, e, 0);
                        sink += e[0];
                    }
                    return sink;
                }));
            }
            for (Future<Double> f : parts) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }
}
