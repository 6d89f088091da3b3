package org.embed4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.backend.Backends;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * An application for {@code spark-submit} against a standalone cluster (ci/spark-cluster.sh starts one on this
 * machine: a master, a worker and executors in JVMs of their own). It checks that the tasks run in executor JVMs
 * other than the driver's (and logs the backend they chose); embeds texts with {@link TextEmbeddingModel} on the
 * executors from the model spark-submit shipped with {@code --files} and compares every embedding with the
 * driver's {@link TextEmbedder}; reports whether models the driver ships later ({@code SparkContext.addFile},
 * {@code SparkSession.addArtifact}) reach the executors; checks that a missing model fails the job with our
 * message; and trains word vectors on 2 partitions into a file core opens. Prints {@code CLUSTER ...} lines; exits
 * with 1 on any failed check.
 *
 * <p>Arguments: {@code <work folder>} (the driver writes its files there) {@code <model>} (the local path of the
 * model passed to spark-submit's {@code --files}).
 */
public final class ClusterJob {
    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(work);
        SparkSession spark =
                SparkSession.builder().appName("embed4j-cluster-check").getOrCreate();
        int failures = 0;
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            failures += executors(jsc);
            // the model spark-submit shipped with --files: a bare file name, as a task sees it
            Path submitted = Path.of(args[1]);
            failures += embeddings(spark, "--files", submitted.getFileName().toString(), submitted) ? 0 : 1;
            // models shipped by the driver once the session runs: reported, not required (Spark 4 gives each
            // SparkSession its own artifact folder, so files added to the context later may not reach its jobs)
            Path model = work.resolve("cluster-addfile.vec");
            Files.copy(submitted, model);
            jsc.addFile(model.toString());
            embeddings(spark, "SparkContext.addFile", model.getFileName().toString(), model);
            Path artifact = work.resolve("cluster-artifact.vec");
            Files.copy(submitted, artifact);
            try {
                spark.addArtifact(artifact.toString(), "files/" + artifact.getFileName());
                embeddings(
                        spark,
                        "SparkSession.addArtifact",
                        artifact.getFileName().toString(),
                        artifact);
            } catch (RuntimeException e) {
                System.out.println("CLUSTER SparkSession.addArtifact refused the file: " + e.getMessage());
            }
            failures += missingModel(spark);
            Path corpus = TopicCorpus.write(work.resolve("topics.txt"), 3000, 3);
            failures += training(jsc, Files.readAllLines(corpus), work);
        } finally {
            spark.stop();
        }
        System.out.println(failures == 0 ? "CLUSTER ok" : "CLUSTER failed: " + failures + " check(s)");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Data-parallel training on 2 partitions writes a model core opens. */
    private static int training(JavaSparkContext jsc, List<String> lines, Path work) throws Exception {
        Word2VecOptions o = Word2VecOptions.defaults()
                .withDim(24)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(2)
                .withSeed(7)
                .withNegTableSize(100_000);
        SparkWord2Vec.Result r = new SparkWord2Vec(o, new DataParallel(2, 2, 1)).fitText(jsc.parallelize(lines, 2));
        Path trained = work.resolve("trained.e4jv");
        VectorsIO.write(r.vectors(), trained, VectorsFormat.NATIVE);
        try (WordVectors v = VectorsIO.read(trained)) {
            System.out.printf(
                    Locale.ROOT,
                    "CLUSTER trained %d words in %d rounds on 2 partitions, final loss %.3f%n",
                    v.size(),
                    r.rounds(),
                    r.finalLoss());
            return v.size() == r.vectors().size() && r.finalLoss() > 0 && r.finalLoss() < 3 ? 0 : 1;
        }
    }

    /** The tasks' JVMs: they must not be the driver's, and they report the backend they chose. */
    private static int executors(JavaSparkContext jsc) {
        long driver = ProcessHandle.current().pid();
        List<String> seen = jsc.parallelize(List.of(0, 1, 2, 3), 4)
                .map(i -> ProcessHandle.current().pid() + " " + Backends.auto().name())
                .distinct()
                .collect();
        boolean apart = seen.stream().noneMatch(s -> s.startsWith(driver + " "));
        System.out.printf(Locale.ROOT, "CLUSTER driver pid %d, executor JVMs (pid backend): %s%n", driver, seen);
        if (!apart) {
            System.out.println("CLUSTER FAIL: a task ran in the driver's JVM (not a cluster)");
        }
        return apart ? 0 : 1;
    }

    /** Texts of the model's words, one unknown word each. */
    private static List<String> texts(Path model) throws Exception {
        List<String> texts = new ArrayList<>();
        try (WordVectors v = VectorsIO.read(model)) {
            List<String> w = v.words();
            for (int i = 0; i < 200; i++) {
                texts.add(w.get(i % w.size()) + " " + w.get(i * 7 % w.size()) + " not-a-word");
            }
        }
        return texts;
    }

    /**
     * Embeds texts on the executors with the model at {@code path} (as the tasks resolve it) and compares them with
     * the driver's embeddings from {@code local}; true when every text came back equal.
     */
    private static boolean embeddings(SparkSession spark, String how, String path, Path local) throws Exception {
        List<String> texts = texts(local);
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create(i, texts.get(i)));
        }
        Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(4);
        List<Row> out;
        try {
            out = new TextEmbeddingModel()
                    .setModelPath(path)
                    .setInputCol("text")
                    .transform(in)
                    .collectAsList();
        } catch (Exception e) { // SparkException is checked, and thrown without being declared
            String first = messages(e)
                    .lines()
                    .filter(l -> l.contains("embed4j"))
                    .findFirst()
                    .orElse(e.toString());
            System.out.println("CLUSTER model shipped by " + how + ": the executors cannot open it: " + first);
            return false;
        }
        int mismatches = 0;
        try (WordVectors v = VectorsIO.read(local)) {
            TextEmbedder embedder = new TextEmbedder(v);
            float[] want = new float[v.dim()];
            for (Row r : out) {
                embedder.embed(texts.get(r.getInt(0)), want, 0);
                Vector got = r.getAs("embedding");
                for (int j = 0; j < want.length; j++) {
                    if (want[j] != (float) got.apply(j)) {
                        mismatches++;
                        break;
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "CLUSTER model shipped by %s: %d texts embedded on the executors, %d differ from the driver's%n",
                how,
                out.size(),
                mismatches);
        return out.size() == texts.size() && mismatches == 0;
    }

    private static int missingModel(SparkSession spark) {
        StructType schema = new StructType().add("text", DataTypes.StringType);
        Dataset<Row> in = spark.createDataFrame(List.of(RowFactory.create("a b")), schema);
        try {
            new TextEmbeddingModel()
                    .setModelPath("no-such-model.e4jv")
                    .setInputCol("text")
                    .transform(in)
                    .collectAsList();
        } catch (Exception e) { // SparkException is checked, and thrown without being declared
            String all = messages(e);
            boolean ours = all.contains("no-such-model.e4jv") && all.contains("cannot find or read it");
            System.out.println("CLUSTER a missing model fails the job " + (ours ? "with our message" : "WITHOUT it"));
            return ours ? 0 : 1;
        }
        System.out.println("CLUSTER FAIL: a missing model did not fail the job");
        return 1;
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append('\n');
        }
        return b.toString();
    }
}
