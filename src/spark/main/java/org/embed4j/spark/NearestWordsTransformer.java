package org.embed4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * Word → nearest neighbours: adds an array of {@code k} (word, similarity) structs, most similar first, by cosine
 * over the vectors file ({@code WordVectors.nearest}: the query word itself excluded). A word outside the
 * vocabulary is looked up from its subwords when the vectors have them, else gets an empty array; a null word gives
 * null. The vectors are opened once per executor.
 */
public final class NearestWordsTransformer extends ModelStage<NearestWordsTransformer> {
    private static final long serialVersionUID = 1L;
    private static final ArrayType RESULT = DataTypes.createArrayType(
            new StructType().add("word", DataTypes.StringType, false).add("similarity", DataTypes.DoubleType, false),
            false);

    private final Param<String> outputCol;
    private final IntParam k;

    public NearestWordsTransformer() {
        this(Identifiable.randomUID("embed4j_nearestWords"));
    }

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    public NearestWordsTransformer(String uid) {
        super(uid, "the word column (string)");
        this.outputCol = new Param<>(this, "outputCol", "the neighbours column (array of word, similarity)");
        this.k = new IntParam(this, "k", "neighbours per word (>= 1)", ParamValidators.gtEq(1));
        setDefault(outputCol, "neighbors");
        setDefault(k, 10);
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public IntParam k() {
        return k;
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public int getK() {
        return (Integer) getOrDefault(k);
    }

    public NearestWordsTransformer setOutputCol(String col) {
        set(outputCol, col);
        return this;
    }

    public NearestWordsTransformer setK(int value) {
        set(k, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return withOutputs(schema, DataTypes.createStructField(getOutputCol(), RESULT, true));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        UserDefinedFunction f = functions.udf(new Nearest(modelRef(), getK()), RESULT);
        return dataset.withColumn(getOutputCol(), f.apply(dataset.col(getInputCol())));
    }

    public static MLReader<NearestWordsTransformer> read() {
        return new ModelStageIO.Reader<>(NearestWordsTransformer.class);
    }

    public static NearestWordsTransformer load(String path) {
        return read().load(path);
    }

    /** The per-row function. */
    private static final class Nearest implements UDF1<String, List<Row>>, Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelRef ref;
        private final int k;
        private transient WordVectors vectors;

        Nearest(ModelRef ref, int k) {
            this.ref = ref;
            this.k = k;
        }

        @Override
        public List<Row> call(String word) {
            if (word == null) {
                return null;
            }
            if (vectors == null) {
                vectors = ModelCache.vectors(ref);
            }
            List<Neighbor> found;
            if (vectors.contains(word)) {
                found = vectors.nearest(word, k);
            } else if (vectors.hasSubwords()) {
                found = vectors.nearest(vectors.vector(word), k);
            } else {
                return List.of();
            }
            List<Row> out = new ArrayList<>(found.size());
            for (Neighbor n : found) {
                out.add(RowFactory.create(n.word(), n.score()));
            }
            return out;
        }
    }
}
