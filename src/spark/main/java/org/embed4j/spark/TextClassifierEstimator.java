package org.embed4j.spark;

import java.util.List;
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
import org.embed4j.classify.ClassifierLoss;
import org.embed4j.classify.ClassifierOptions;

/**
 * Trains embed4j's fastText-style classifier on a DataFrame with {@link SparkTextClassifier} and returns a
 * {@link TextClassifierModel} over the written model file (the single-machine format: {@code ./embed4j predict},
 * {@code test-classifier} and {@code serve} open it unchanged). Input: a text column and a label column (a string,
 * or an array of strings for multi-label data). Params carry fastText's supervised names and defaults
 * ({@code ClassifierOptions}): dim 100, lr 0.1, epoch 5, wordNgrams 1, bucket 2,000,000, minCount 1, lowercase
 * false, loss softmax|hs|ns|ova, minn/maxn 0 (no character n-grams), neg 5.
 */
public final class TextClassifierEstimator extends DataParallelEstimator<TextClassifierModel, TextClassifierEstimator> {
    private static final long serialVersionUID = 1L;

    private final Param<String> labelCol;
    private final IntParam dim;
    private final DoubleParam lr;
    private final IntParam epoch;
    private final IntParam wordNgrams;
    private final IntParam bucket;
    private final IntParam minCount;
    private final BooleanParam lowercase;
    private final Param<String> loss;
    private final IntParam minn;
    private final IntParam maxn;
    private final IntParam neg;

    public TextClassifierEstimator() {
        this(Identifiable.randomUID("embed4j_textClassifier"));
    }

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    public TextClassifierEstimator(String uid) {
        super(uid, "the text column (string)");
        ClassifierOptions d = ClassifierOptions.DEFAULTS;
        labelCol = new Param<>(this, "labelCol", "the label column (string, or array of strings)");
        dim = new IntParam(this, "dim", "dimension of the text representation", ParamValidators.gtEq(1));
        lr = new DoubleParam(this, "lr", "initial learning rate", ParamValidators.gt(0));
        epoch = new IntParam(this, "epoch", "passes over the examples", ParamValidators.gtEq(1));
        wordNgrams = new IntParam(this, "wordNgrams", "longest word n-gram (1: words only)", ParamValidators.gtEq(1));
        bucket = new IntParam(this, "bucket", "hash buckets of word and character n-grams", ParamValidators.gtEq(0));
        minCount = new IntParam(this, "minCount", "minimum word count", ParamValidators.gtEq(1));
        lowercase = new BooleanParam(this, "lowercase", "lower-case the text");
        loss = new Param<>(this, "loss", "softmax, hs, ns or ova", ParamValidators.inArray(new String[] {
            "softmax", "hs", "ns", "ova"
        }));
        minn = new IntParam(this, "minn", "shortest character n-gram (0: none)", ParamValidators.gtEq(0));
        maxn = new IntParam(this, "maxn", "longest character n-gram (0: none)", ParamValidators.gtEq(0));
        neg = new IntParam(this, "neg", "negative labels per update of the ns loss", ParamValidators.gtEq(1));
        setDefault(labelCol, "label");
        setDefault(dim, d.dim());
        setDefault(lr, (double) d.lr());
        setDefault(epoch, d.epoch());
        setDefault(wordNgrams, d.wordNgrams());
        setDefault(bucket, d.bucket());
        setDefault(minCount, d.minCount());
        setDefault(lowercase, d.lowercase());
        setDefault(loss, "softmax");
        setDefault(minn, d.minn());
        setDefault(maxn, d.maxn());
        setDefault(neg, d.neg());
    }

    public TextClassifierEstimator setLabelCol(String v) {
        return setParam(labelCol, v);
    }

    public TextClassifierEstimator setDim(int v) {
        return setParam(dim, v);
    }

    public TextClassifierEstimator setLr(double v) {
        return setParam(lr, v);
    }

    public TextClassifierEstimator setEpoch(int v) {
        return setParam(epoch, v);
    }

    public TextClassifierEstimator setWordNgrams(int v) {
        return setParam(wordNgrams, v);
    }

    public TextClassifierEstimator setBucket(int v) {
        return setParam(bucket, v);
    }

    public TextClassifierEstimator setMinCount(int v) {
        return setParam(minCount, v);
    }

    public TextClassifierEstimator setLowercase(boolean v) {
        return setParam(lowercase, v);
    }

    public TextClassifierEstimator setLoss(String v) {
        return setParam(loss, v);
    }

    public TextClassifierEstimator setCharNgrams(int minnValue, int maxnValue) {
        setParam(minn, minnValue);
        return setParam(maxn, maxnValue);
    }

    public TextClassifierEstimator setNeg(int v) {
        return setParam(neg, v);
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public IntParam dim() {
        return dim;
    }

    public DoubleParam lr() {
        return lr;
    }

    public IntParam epoch() {
        return epoch;
    }

    public IntParam wordNgrams() {
        return wordNgrams;
    }

    public IntParam bucket() {
        return bucket;
    }

    public IntParam minCount() {
        return minCount;
    }

    public BooleanParam lowercase() {
        return lowercase;
    }

    public Param<String> loss() {
        return loss;
    }

    public IntParam minn() {
        return minn;
    }

    public IntParam maxn() {
        return maxn;
    }

    public IntParam neg() {
        return neg;
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    /** The core options these params describe (threads: set per task by {@link DataParallel}). */
    public ClassifierOptions options() {
        return new ClassifierOptions(
                (Integer) getOrDefault(dim),
                (float) (double) (Double) getOrDefault(lr),
                (Integer) getOrDefault(epoch),
                (Integer) getOrDefault(wordNgrams),
                (Integer) getOrDefault(bucket),
                (Integer) getOrDefault(minCount),
                (Boolean) getOrDefault(lowercase),
                1,
                getSeed(),
                ClassifierLoss.parse(getOrDefault(loss)),
                (Integer) getOrDefault(minn),
                (Integer) getOrDefault(maxn),
                (Integer) getOrDefault(neg));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        checkInput(schema);
        DataType text = schema.apply(getInputCol()).dataType();
        if (!text.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("TextClassifierEstimator: input column '" + getInputCol()
                    + "' must be a string column, got " + text.simpleString());
        }
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(getLabelCol())) {
            throw new IllegalArgumentException(
                    "TextClassifierEstimator: label column '" + getLabelCol() + "' is not in the dataset");
        }
        DataType label = schema.apply(getLabelCol()).dataType();
        if (!label.equals(DataTypes.StringType)
                && !(label instanceof ArrayType a && a.elementType().equals(DataTypes.StringType))) {
            throw new IllegalArgumentException("TextClassifierEstimator: label column '" + getLabelCol()
                    + "' must be a string or an array of strings, got " + label.simpleString());
        }
        return schema;
    }

    @Override
    public TextClassifierModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        boolean multi = !dataset.schema().apply(getLabelCol()).dataType().equals(DataTypes.StringType);
        JavaRDD<LabeledDocument> examples = dataset.select(getInputCol(), getLabelCol())
                .javaRDD()
                .filter(r ->
                        !r.isNullAt(0) && !r.isNullAt(1) && !labels(r, multi).isEmpty())
                .map(r -> new LabeledDocument(labels(r, multi), r.getString(0)));
        SparkTextClassifier.Result result = new SparkTextClassifier(options(), parallel()).fit(examples);
        ModelOutput.write(
                getModelPath(),
                dataset.sparkSession().sparkContext().hadoopConfiguration(),
                local -> result.classifier().save(local));
        TextClassifierModel m =
                new TextClassifierModel().setModelPath(getModelPath()).setInputCol(getInputCol());
        return m.setParent(this);
    }

    private static List<String> labels(Row r, boolean multi) {
        return multi ? r.<String>getList(1) : List.of(r.getString(1));
    }

    public static MLReader<TextClassifierEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static TextClassifierEstimator load(String path) {
        return read().load(path);
    }
}
