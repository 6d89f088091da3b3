package org.embed4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three transformers on local[2]: a pipeline of all three gives what the core API gives for each row, is saved
 * and loaded (the model files travel inside the saved pipeline: the originals are deleted before loading), SIF
 * weighting matches its formula, and a missing, corrupt or changed model fails the job with our message.
 */
class TransformersTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static Path vectorsFile;
    static Path classifierFile;
    static WordVectors vectors;
    static TextClassifier classifier;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("TransformersTest");
        vectors = RandomVectors.model(3, 500, 16);
        vectorsFile = dir.resolve("models/vectors.e4jv");
        Files.createDirectories(vectorsFile.getParent());
        VectorsIO.write(vectors, vectorsFile, VectorsFormat.NATIVE);
        classifier = ClassifierFixtures.trec();
        classifierFile = dir.resolve("models/trec.e4jc");
        classifier.save(classifierFile);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> rows(List<String> texts, List<String> words) {
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("text", DataTypes.StringType)
                .add("word", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create(i, texts.get(i), words.get(i)));
        }
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    private static PipelineModel pipeline(Path vectorsPath, Path classifierPath) {
        PipelineStage[] stages = {
            new TextEmbeddingModel().setModelPath(vectorsPath.toString()).setInputCol("text"),
            new TextClassifierModel().setModelPath(classifierPath.toString()).setInputCol("text"),
            new NearestWordsTransformer()
                    .setModelPath(vectorsPath.toString())
                    .setInputCol("word")
                    .setK(3)
        };
        return new Pipeline().setStages(stages).fit(rows(List.of("x"), List.of("y")));
    }

    @Test
    void aPipelineOfAllThreeMatchesTheCoreApiAndSurvivesSaveAndLoad() throws IOException {
        List<String> words = vectors.words();
        List<String> texts = List.of(
                words.get(1) + " " + words.get(20) + " " + words.get(300),
                "How far is it from Denver to Aspen ?",
                "no known word here",
                words.get(7).toUpperCase(java.util.Locale.ROOT));
        List<String> queries = List.of(words.get(0), words.get(42), "not-a-word", words.get(499));
        Path v = Files.copy(vectorsFile, dir.resolve("vectors-copy.e4jv"));
        Path c = Files.copy(classifierFile, dir.resolve("trec-copy.e4jc"));
        PipelineModel model = pipeline(v, c);
        List<Row> before = sorted(model.transform(rows(texts, queries)));
        check(before, texts, queries);

        Path saved = dir.resolve("pipeline");
        model.write().overwrite().save(saved.toString());
        Files.delete(v);
        Files.delete(c);
        PipelineModel loaded = PipelineModel.load(saved.toString());
        TextEmbeddingModel embed = (TextEmbeddingModel) loaded.stages()[0];
        assertTrue(embed.getModelPath().contains("pipeline"), embed.getModelPath());
        assertEquals(3, ((NearestWordsTransformer) loaded.stages()[2]).getK());
        List<Row> after = sorted(loaded.transform(rows(texts, queries)));
        assertEquals(before, after);
    }

    private static List<Row> sorted(Dataset<Row> d) {
        return d.orderBy("id").collectAsList();
    }

    private static void check(List<Row> out, List<String> texts, List<String> queries) {
        TextEmbedder embedder = new TextEmbedder(vectors);
        for (Row r : out) {
            int i = r.getInt(r.fieldIndex("id"));
            float[] expected = new float[vectors.dim()];
            embedder.embed(texts.get(i), expected, 0);
            Vector got = r.getAs("embedding");
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], got.apply(j), 0.0, "text " + i + " dim " + j);
            }
            Prediction p = classifier.predict(texts.get(i), 1).get(0);
            assertEquals(p.label(), r.getAs("prediction"));
            assertEquals(p.probability(), (double) r.getAs("probability"), 0.0);
            List<Row> nb = r.getList(r.fieldIndex("neighbors"));
            if (!vectors.contains(queries.get(i))) {
                assertTrue(nb.isEmpty(), nb.toString());
                continue;
            }
            List<Neighbor> want = vectors.nearest(queries.get(i), 3);
            assertEquals(3, nb.size());
            for (int k = 0; k < 3; k++) {
                assertEquals(want.get(k).word(), nb.get(k).getString(0));
                assertEquals(want.get(k).score(), nb.get(k).getDouble(1), 0.0);
            }
        }
    }

    @Test
    void sifWeightsEachWordByItsZipfFrequency() {
        List<String> words = vectors.words();
        String text = words.get(0) + " " + words.get(99) + " unknown";
        Row r = new TextEmbeddingModel()
                .setModelPath(vectorsFile.toString())
                .setInputCol("text")
                .setSifA(1e-3)
                .transform(rows(List.of(text), List.of("w")))
                .first();
        double h = 0;
        for (int k = 1; k <= vectors.size(); k++) {
            h += 1.0 / k;
        }
        double w0 = 1e-3 / (1e-3 + 1 / (1 * h));
        double w99 = 1e-3 / (1e-3 + 1 / (100 * h));
        float[] a = vectors.vector(0);
        float[] b = vectors.vector(99);
        Vector got = r.getAs("embedding");
        for (int j = 0; j < a.length; j++) {
            assertEquals((w0 * a[j] + w99 * b[j]) / 2, got.apply(j), 1e-6, "dim " + j);
        }
        assertTrue(w0 < w99, "a frequent word weighs less");
    }

    @Test
    void nullTextsGiveNulls() {
        StructType schema = new StructType().add("text", DataTypes.StringType);
        Dataset<Row> d = spark.createDataFrame(List.of(RowFactory.create((Object) null)), schema);
        Row r = new TextClassifierModel()
                .setModelPath(classifierFile.toString())
                .setInputCol("text")
                .transform(d)
                .first();
        assertNull(r.get(1));
        assertNull(r.get(2));
    }

    @Test
    void aMissingModelFailsTheJobWithOurMessage() {
        String missing = dir.resolve("no-such-model.e4jv").toString();
        Dataset<Row> out = new TextEmbeddingModel()
                .setModelPath(missing)
                .setInputCol("text")
                .transform(rows(List.of("a b"), List.of("a")));
        Exception e = assertThrows(Exception.class, out::collectAsList);
        String all = messages(e);
        assertTrue(all.contains("ModelLoadException") && all.contains("no-such-model.e4jv"), all);
        assertTrue(all.contains("cannot find or read it"), all);
        assertFalse(all.contains("NullPointerException"), all);
    }

    @Test
    void aCorruptModelFailsTheJobWithOurMessage() throws IOException {
        Path bad = dir.resolve("corrupt.e4jc");
        byte[] bytes = Files.readAllBytes(classifierFile);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Dataset<Row> out = new TextClassifierModel()
                .setModelPath(bad.toString())
                .setInputCol("text")
                .transform(rows(List.of("what is it ?"), List.of("a")));
        Exception e = assertThrows(Exception.class, out::collectAsList);
        String all = messages(e);
        assertTrue(
                all.contains("ModelLoadException") && all.contains("classifier model") && all.contains("corrupt.e4jc"),
                all);
        assertTrue(all.contains("cannot open it"), all);
        assertFalse(all.contains("NullPointerException"), all);
    }

    @Test
    void aFileThatDiffersFromTheDriversCopyIsRefused() {
        var e = assertThrows(
                ModelLoadException.class, () -> ModelCache.vectors(new ModelRef(vectorsFile.toString(), "00000000")));
        assertTrue(e.getMessage().contains("CRC-32C") && e.getMessage().contains("driver"), e.getMessage());
        var unset = assertThrows(
                IllegalArgumentException.class,
                () -> new TextEmbeddingModel().setInputCol("text").transform(rows(List.of("a"), List.of("a"))));
        assertTrue(unset.getMessage().contains("modelPath"), unset.getMessage());
    }

    @Test
    void schemasAreChecked() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new TextEmbeddingModel()
                        .setModelPath(vectorsFile.toString())
                        .setInputCol("id")
                        .transform(rows(List.of("a"), List.of("a"))));
        assertTrue(e.getMessage().contains("must be a string column"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new TextEmbeddingModel()
                        .setModelPath(vectorsFile.toString())
                        .setInputCol("text")
                        .setOutputCol("word")
                        .transform(rows(List.of("a"), List.of("a"))));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    /** Every message and class name along the cause chain (Spark wraps task failures). */
    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName())
                    .append(": ")
                    .append(c.getMessage())
                    .append('\n');
        }
        return sb.toString();
    }
}
