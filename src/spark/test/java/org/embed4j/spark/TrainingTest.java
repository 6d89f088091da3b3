package org.embed4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecTrainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on local[2] against single-machine training of the same corpus: one shard, one round and
 * one epoch is the single-machine run bit for bit; two shards find the same topic neighbours; the estimator writes a
 * file core opens; the classifier estimator reaches single-machine accuracy; a model too big for the driver is
 * refused before any round.
 */
class TrainingTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static JavaSparkContext jsc;
    static Path corpus;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("TrainingTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        corpus = TopicCorpus.write(dir.resolve("topics.txt"), 3000, 3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Word2VecOptions small() {
        return Word2VecOptions.defaults()
                .withDim(24)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(3)
                .withThreads(1)
                .withSeed(7)
                .withNegTableSize(100_000);
    }

    private static JavaRDD<String> lines(int partitions) throws IOException {
        return jsc.parallelize(Files.readAllLines(corpus), partitions);
    }

    @Test
    void oneShardOneRoundOneEpochIsTheSingleMachineRunBitForBit() throws IOException {
        Word2VecOptions o = small().withEpochs(1);
        WordVectors single = new Word2VecTrainer(o).train(corpus).vectors();
        SparkWord2Vec.Result r = new SparkWord2Vec(o, new DataParallel(1, 1, 1)).fitText(lines(1));
        assertEquals(single.words(), r.vectors().words());
        for (int i = 0; i < single.size(); i++) {
            assertArrayEquals(single.vector(i), r.vectors().vector(i), "row " + i);
        }
        assertEquals(r.vocabulary().totalCount(), r.words());
    }

    @Test
    void twoShardsFindTheTopicNeighboursSingleMachineTrainingFinds() throws IOException {
        Word2VecOptions o = small();
        WordVectors single = new Word2VecTrainer(o).train(corpus).vectors();
        SparkWord2Vec.Result r = new SparkWord2Vec(o, new DataParallel(2, 4, 1)).fitText(lines(2));
        assertEquals(12, r.rounds());
        assertEquals(3 * r.vocabulary().totalCount(), r.words());
        double ps = topicPrecision(single);
        double pd = topicPrecision(r.vectors());
        assertTrue(ps >= 0.9 && pd >= 0.9, "topic precision: single " + ps + ", spark " + pd);
        assertTrue(r.finalLoss() > 0 && r.finalLoss() < 3, "final loss " + r.finalLoss());
    }

    /** Of each topic word's 3 nearest neighbours, the share in its own topic. */
    private static double topicPrecision(WordVectors v) {
        int hit = 0;
        int total = 0;
        for (String topic : TopicCorpus.TOPICS) {
            List<String> members = List.of(topic.split(" "));
            for (String w : members) {
                for (Neighbor n : v.nearest(w, 3)) {
                    hit += members.contains(n.word()) ? 1 : 0;
                    total++;
                }
            }
        }
        return hit / (double) total;
    }

    @Test
    void theEstimatorWritesAFileCoreOpensAndItsModelEmbeds() throws IOException {
        StructType schema = new StructType().add("text", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(corpus)) {
            rows.add(RowFactory.create(line));
        }
        Dataset<Row> df = spark.createDataFrame(rows, schema);
        Path out = dir.resolve("out/topics.e4jv");
        TextEmbeddingModel model = new Word2VecEstimator()
                .setInputCol("text")
                .setModelPath(out.toString())
                .setDim(16)
                .setMinCount(1)
                .setEpochs(2)
                .setSample(0)
                .setNumPartitions(2)
                .setRoundsPerEpoch(2)
                .setThreadsPerTask(1)
                .fit(df);
        WordVectors v = VectorsIO.read(out);
        assertEquals(38, v.size());
        assertEquals(16, v.dim());
        Row r = model.transform(df.limit(1)).first();
        assertEquals(16, ((org.apache.spark.ml.linalg.Vector) r.getAs("embedding")).size());
        assertEquals(out.toString(), model.getModelPath());
    }

    @Test
    void theClassifierEstimatorReachesSingleMachineAccuracy() throws IOException {
        List<LabeledText> train = ClassifierFixtures.read("trec-400.train.txt");
        List<LabeledText> test = ClassifierFixtures.read("trec-150.test.txt");
        ClassifierOptions o = ClassifierFixtures.OPTIONS;
        double single = accuracy(new FastTextTrainer(o).train(train), test);
        StructType schema = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (LabeledText e : train) {
            rows.add(RowFactory.create(e.text(), e.label()));
        }
        Path out = dir.resolve("out/trec.e4jc");
        TextClassifierModel model = new TextClassifierEstimator()
                .setInputCol("text")
                .setLabelCol("label")
                .setModelPath(out.toString())
                .setDim(o.dim())
                .setWordNgrams(o.wordNgrams())
                .setBucket(o.bucket())
                .setEpoch(o.epoch())
                .setLr(o.lr())
                .setSeed(o.seed())
                .setNumPartitions(2)
                .setRoundsPerEpoch(1)
                .setThreadsPerTask(1)
                .fit(spark.createDataFrame(rows, schema));
        TextClassifier loaded = TextClassifier.load(out);
        double spark2 = accuracy(loaded, test);
        assertTrue(spark2 >= single - 0.06, "test accuracy: spark " + spark2 + ", single machine " + single);
        Row first = model.transform(spark.createDataFrame(
                        List.of(RowFactory.create(test.get(0).text(), "x")), schema))
                .first();
        assertEquals(loaded.predictLabel(test.get(0).text()), first.getAs("prediction"));
    }

    private static double accuracy(TextClassifier c, List<LabeledText> test) {
        int right = 0;
        for (LabeledText e : test) {
            right += c.predictLabel(e.text()).equals(e.label()) ? 1 : 0;
        }
        return right / (double) test.size();
    }

    @Test
    void estimatorsKeepTheirParamsThroughSaveAndLoad() throws IOException {
        Path w = dir.resolve("estimators/word2vec");
        new Word2VecEstimator()
                .setInputCol("tokens")
                .setModelPath("/models/v.e4jv")
                .setModel("cbow")
                .setDim(7)
                .setSubwords(2, 4, 1000)
                .setNumPartitions(5)
                .write()
                .save(w.toString());
        Word2VecEstimator back = Word2VecEstimator.load(w.toString());
        assertEquals("tokens", back.getInputCol());
        assertEquals(5, back.getNumPartitions());
        Word2VecOptions o = back.options();
        assertEquals(Word2VecOptions.Model.CBOW, o.model());
        assertEquals(7, o.dim());
        assertEquals(4, o.maxn());
        Path c = dir.resolve("estimators/classifier");
        new TextClassifierEstimator()
                .setInputCol("text")
                .setLoss("hs")
                .setWordNgrams(3)
                .write()
                .save(c.toString());
        TextClassifierEstimator cb = TextClassifierEstimator.load(c.toString());
        assertEquals(3, cb.options().wordNgrams());
        assertEquals(org.embed4j.classify.ClassifierLoss.HS, cb.options().loss());
    }

    @Test
    void aModelTooBigForTheDriverIsRefusedBeforeTraining() throws IOException {
        Word2VecOptions o = small().withDim(1000).withSubwords(3, 6, 500_000_000);
        var e = assertThrows(
                IllegalArgumentException.class, () -> new SparkWord2Vec(o, DataParallel.of(2)).fitText(lines(2)));
        assertTrue(
                e.getMessage().contains("does not fit the driver")
                        && e.getMessage().contains("GiB"),
                e.getMessage());
    }
}
