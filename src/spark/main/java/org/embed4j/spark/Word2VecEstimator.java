package org.embed4j.spark;

import java.nio.file.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * Trains word vectors on a DataFrame with {@link SparkWord2Vec} and returns a {@link TextEmbeddingModel} over the
 * written vectors file. The input column is text (tokenised as single-machine training tokenises a corpus line)
 * or an array of tokens; the file format follows {@code modelPath}'s extension (.e4jv native, memory-mapped by the
 * transformers: the default for other names; .bin, .vec, .txt, .safetensors as {@code VectorsIO} writes them).
 * Params carry word2vec's and fastText's names and defaults ({@code Word2VecOptions}): model sg|cbow, dim 100,
 * window 5, negative 5, sample 1e-4, minCount 5, maxVocab 0 (no cap), epochs 5, lr 0 (the model's default),
 * maxn 0 (no subwords; minn 3, bucket 2,000,000 when on), lowercase false.
 */
public final class Word2VecEstimator extends DataParallelEstimator<TextEmbeddingModel, Word2VecEstimator> {
    private static final long serialVersionUID = 1L;

    private final Param<String> model;
    private final IntParam dim;
    private final IntParam window;
    private final IntParam negative;
    private final DoubleParam sample;
    private final IntParam minCount;
    private final IntParam maxVocab;
    private final IntParam epochs;
    private final DoubleParam lr;
    private final IntParam minn;
    private final IntParam maxn;
    private final IntParam bucket;
    private final BooleanParam lowercase;

    public Word2VecEstimator() {
        this(Identifiable.randomUID("embed4j_word2vec"));
    }

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    public Word2VecEstimator(String uid) {
        super(uid, "the text column (string) or token column (array of strings)");
        Word2VecOptions d = Word2VecOptions.defaults();
        model = new Param<>(
                this, "model", "sg (skip-gram) or cbow", ParamValidators.inArray(new String[] {"sg", "cbow"}));
        dim = new IntParam(this, "dim", "vector dimension", ParamValidators.gtEq(1));
        window = new IntParam(this, "window", "context window", ParamValidators.gtEq(1));
        negative = new IntParam(this, "negative", "negative samples per pair", ParamValidators.gtEq(1));
        sample = new DoubleParam(this, "sample", "subsampling threshold (0: off)", ParamValidators.gtEq(0));
        minCount = new IntParam(this, "minCount", "minimum word count", ParamValidators.gtEq(1));
        maxVocab = new IntParam(this, "maxVocab", "most words kept (0: no cap)", ParamValidators.gtEq(0));
        epochs = new IntParam(this, "epochs", "passes over the corpus", ParamValidators.gtEq(1));
        lr = new DoubleParam(this, "lr", "initial learning rate (0: 0.025 sg, 0.05 cbow)", ParamValidators.gtEq(0));
        minn = new IntParam(this, "minn", "shortest character n-gram", ParamValidators.gtEq(1));
        maxn = new IntParam(this, "maxn", "longest character n-gram (0: no subwords)", ParamValidators.gtEq(0));
        bucket = new IntParam(this, "bucket", "subword hash buckets", ParamValidators.gtEq(1));
        lowercase = new BooleanParam(this, "lowercase", "lower-case tokens");
        setDefault(model, "sg");
        setDefault(dim, d.dim());
        setDefault(window, d.window());
        setDefault(negative, d.negative());
        setDefault(sample, d.sample());
        setDefault(minCount, d.minCount());
        setDefault(maxVocab, d.maxVocab());
        setDefault(epochs, d.epochs());
        setDefault(lr, 0.0);
        setDefault(minn, d.minn());
        setDefault(maxn, d.maxn());
        setDefault(bucket, d.bucket());
        setDefault(lowercase, d.lowercase());
    }

    // Typed setters, one per param; getters through getOrDefault.
    public Word2VecEstimator setModel(String v) {
        return setParam(model, v);
    }

    public Word2VecEstimator setDim(int v) {
        return setParam(dim, v);
    }

    public Word2VecEstimator setWindow(int v) {
        return setParam(window, v);
    }

    public Word2VecEstimator setNegative(int v) {
        return setParam(negative, v);
    }

    public Word2VecEstimator setSample(double v) {
        return setParam(sample, v);
    }

    public Word2VecEstimator setMinCount(int v) {
        return setParam(minCount, v);
    }

    public Word2VecEstimator setMaxVocab(int v) {
        return setParam(maxVocab, v);
    }

    public Word2VecEstimator setEpochs(int v) {
        return setParam(epochs, v);
    }

    public Word2VecEstimator setLr(double v) {
        return setParam(lr, v);
    }

    public Word2VecEstimator setSubwords(int minnValue, int maxnValue, int bucketValue) {
        setParam(minn, minnValue);
        setParam(maxn, maxnValue);
        return setParam(bucket, bucketValue);
    }

    public Word2VecEstimator setLowercase(boolean v) {
        return setParam(lowercase, v);
    }

    public Param<String> model() {
        return model;
    }

    public IntParam dim() {
        return dim;
    }

    public IntParam window() {
        return window;
    }

    public IntParam negative() {
        return negative;
    }

    public DoubleParam sample() {
        return sample;
    }

    public IntParam minCount() {
        return minCount;
    }

    public IntParam maxVocab() {
        return maxVocab;
    }

    public IntParam epochs() {
        return epochs;
    }

    public DoubleParam lr() {
        return lr;
    }

    public IntParam minn() {
        return minn;
    }

    public IntParam maxn() {
        return maxn;
    }

    public IntParam bucket() {
        return bucket;
    }

    public BooleanParam lowercase() {
        return lowercase;
    }

    /** The core options these params describe (threads: set per task by {@link DataParallel}). */
    public Word2VecOptions options() {
        double rate = (Double) getOrDefault(lr);
        return Word2VecOptions.defaults()
                .withModel(Word2VecOptions.Model.parse(getOrDefault(model)))
                .withDim((Integer) getOrDefault(dim))
                .withWindow((Integer) getOrDefault(window))
                .withNegative((Integer) getOrDefault(negative))
                .withSample((Double) getOrDefault(sample))
                .withMinCount((Integer) getOrDefault(minCount))
                .withMaxVocab((Integer) getOrDefault(maxVocab))
                .withEpochs((Integer) getOrDefault(epochs))
                .withLr(rate == 0 ? Float.NaN : (float) rate)
                .withSubwords(
                        (Integer) getOrDefault(minn), (Integer) getOrDefault(maxn), (Integer) getOrDefault(bucket))
                .withSeed(getSeed())
                .withLowercase((Boolean) getOrDefault(lowercase))
                .withThreads(1)
                .validate();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        checkInput(schema);
        DataType t = schema.apply(getInputCol()).dataType();
        if (!t.equals(DataTypes.StringType)
                && !(t instanceof ArrayType a && a.elementType().equals(DataTypes.StringType))) {
            throw new IllegalArgumentException("Word2VecEstimator: input column '" + getInputCol()
                    + "' must be a string or an array of strings, got " + t.simpleString());
        }
        return schema;
    }

    @Override
    public TextEmbeddingModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        SparkWord2Vec trainer = new SparkWord2Vec(options(), parallel());
        JavaRDD<Row> rows = dataset.select(getInputCol()).javaRDD();
        SparkWord2Vec.Result r;
        if (dataset.schema().apply(getInputCol()).dataType().equals(DataTypes.StringType)) {
            r = trainer.fitText(rows.filter(row -> !row.isNullAt(0)).map(row -> row.getString(0)));
        } else {
            r = trainer.fit(rows.filter(row -> !row.isNullAt(0))
                    .map(row -> row.<String>getList(0).toArray(String[]::new)));
        }
        String path = getModelPath();
        VectorsFormat format = VectorsIO.byExtension(Path.of(new org.apache.hadoop.fs.Path(path).getName()))
                .orElse(VectorsFormat.NATIVE);
        ModelOutput.write(
                path,
                dataset.sparkSession().sparkContext().hadoopConfiguration(),
                local -> VectorsIO.write(r.vectors(), local, format));
        TextEmbeddingModel m = new TextEmbeddingModel().setModelPath(path);
        if (dataset.schema().apply(getInputCol()).dataType().equals(DataTypes.StringType)) {
            m.setInputCol(getInputCol());
        }
        return m.setParent(this);
    }

    public static MLReader<Word2VecEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static Word2VecEstimator load(String path) {
        return read().load(path);
    }
}
