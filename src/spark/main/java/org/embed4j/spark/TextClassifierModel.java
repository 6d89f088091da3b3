package org.embed4j.spark;

import java.io.Serializable;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.classify.TextClassifier;

/**
 * Text → predicted label and its probability: a Spark ML model over an embed4j fastText-style classifier file
 * ({@code TextClassifier}, memory-mapped once per executor). Adds {@code predictionCol} (string, the most probable
 * label; the first wins a tie) and {@code probabilityCol} (double, its probability as {@code TextClassifier}
 * reports it); a null text gives nulls. Also what {@link TextClassifierEstimator} fits.
 */
public final class TextClassifierModel extends ModelStage<TextClassifierModel> {
    private static final long serialVersionUID = 1L;
    private static final StructType RESULT =
            new StructType().add("label", DataTypes.StringType, false).add("probability", DataTypes.DoubleType, false);

    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;

    public TextClassifierModel() {
        this(Identifiable.randomUID("embed4j_textClassifier"));
    }

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    public TextClassifierModel(String uid) {
        super(uid, "the text column (string)");
        this.predictionCol = new Param<>(this, "predictionCol", "the predicted label column (string)");
        this.probabilityCol = new Param<>(this, "probabilityCol", "the predicted label's probability (double)");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    public TextClassifierModel setPredictionCol(String col) {
        set(predictionCol, col);
        return this;
    }

    public TextClassifierModel setProbabilityCol(String col) {
        set(probabilityCol, col);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (getPredictionCol().equals(getProbabilityCol())) {
            throw new IllegalArgumentException(
                    "predictionCol and probabilityCol are both '" + getPredictionCol() + "'");
        }
        return withOutputs(
                schema,
                DataTypes.createStructField(getPredictionCol(), DataTypes.StringType, true),
                DataTypes.createStructField(getProbabilityCol(), DataTypes.DoubleType, true));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        UserDefinedFunction f = functions.udf(new Predict(modelRef()), RESULT);
        String tmp = "__embed4j_" + uid();
        return dataset.withColumn(tmp, f.apply(dataset.col(getInputCol())))
                .withColumn(getPredictionCol(), functions.col(tmp).getField("label"))
                .withColumn(getProbabilityCol(), functions.col(tmp).getField("probability"))
                .drop(tmp);
    }

    public static MLReader<TextClassifierModel> read() {
        return new ModelStageIO.Reader<>(TextClassifierModel.class);
    }

    public static TextClassifierModel load(String path) {
        return read().load(path);
    }

    /** The per-row function: (label, probability) of the most probable label. */
    private static final class Predict implements UDF1<String, Row>, Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelRef ref;
        private transient TextClassifier model;

        Predict(ModelRef ref) {
            this.ref = ref;
        }

        @Override
        public Row call(String text) {
            if (text == null) {
                return null;
            }
            if (model == null) {
                model = ModelCache.classifier(ref);
            }
            float[] probs = new float[model.labels().size()];
            model.probabilities(text, probs, 0);
            int best = 0;
            for (int c = 1; c < probs.length; c++) {
                if (probs[c] > probs[best]) {
                    best = c;
                }
            }
            return RowFactory.create(model.labels().get(best), (double) probs[best]);
        }
    }
}
