package org.embed4j.spark;

import java.io.Serializable;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.deploy.TextEmbedder;

/**
 * Text → embedding: a Spark ML model that adds a vector column (Spark ML's dense {@code Vector}) holding the mean of
 * the text's word vectors, as embed4j's {@code TextEmbedder} computes it (word2vec tokenizer; a word as written,
 * then lower-cased, then from subwords when the vectors have them; a text without a known word is the zero vector,
 * a null text gives null). With {@code sifA} &gt; 0 the mean is SIF-weighted, each word by a/(a + p(w)) (see
 * {@link SifEmbedder}); 1e-3 is the paper's usual value.
 *
 * <p>{@code modelPath} names a vectors file in any format embed4j reads (the native .e4jv is memory-mapped: best
 * for executors). Each executor opens it once and shares it between tasks. Also what {@link Word2VecEstimator} fits.
 */
public final class TextEmbeddingModel extends ModelStage<TextEmbeddingModel> {
    private static final long serialVersionUID = 1L;

    private final Param<String> outputCol;
    private final DoubleParam sifA;

    public TextEmbeddingModel() {
        this(Identifiable.randomUID("embed4j_textEmbedding"));
    }

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    public TextEmbeddingModel(String uid) {
        super(uid, "the text column (string)");
        this.outputCol = new Param<>(this, "outputCol", "the embedding column (vector)");
        this.sifA = new DoubleParam(this, "sifA", "SIF weight parameter a (0: plain mean)", ParamValidators.gtEq(0));
        setDefault(outputCol, "embedding");
        setDefault(sifA, 0.0);
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public DoubleParam sifA() {
        return sifA;
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public double getSifA() {
        return (Double) getOrDefault(sifA);
    }

    public TextEmbeddingModel setOutputCol(String col) {
        set(outputCol, col);
        return this;
    }

    public TextEmbeddingModel setSifA(double a) {
        set(sifA, a);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return withOutputs(schema, DataTypes.createStructField(getOutputCol(), SQLDataTypes.VectorType(), true));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        UserDefinedFunction f = functions.udf(new Embed(modelRef(), getSifA()), SQLDataTypes.VectorType());
        return dataset.withColumn(getOutputCol(), f.apply(dataset.col(getInputCol())));
    }

    public static MLReader<TextEmbeddingModel> read() {
        return new ModelStageIO.Reader<>(TextEmbeddingModel.class);
    }

    public static TextEmbeddingModel load(String path) {
        return read().load(path);
    }

    /** The per-row function: the model reference travels; the embedder is looked up once per deserialised copy. */
    private static final class Embed implements UDF1<String, Vector>, Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelRef ref;
        private final double sifA;
        private transient TextEmbedder plain;
        private transient SifEmbedder sif;

        Embed(ModelRef ref, double sifA) {
            this.ref = ref;
            this.sifA = sifA;
        }

        @Override
        public Vector call(String text) {
            if (text == null) {
                return null;
            }
            float[] e;
            if (sifA > 0) {
                if (sif == null) {
                    sif = ModelCache.derived(ref, "sif:" + sifA, v -> new SifEmbedder(v, sifA));
                }
                e = new float[sif.dim()];
                sif.embed(text, e);
            } else {
                if (plain == null) {
                    plain = ModelCache.derived(ref, "mean", TextEmbedder::new);
                }
                e = new float[plain.dim()];
                plain.embed(text, e, 0);
            }
            double[] d = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                d[i] = e[i];
            }
            return Vectors.dense(d);
        }
    }
}
