package org.embed4j.spark;

import java.util.Arrays;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML stage backed by an embed4j model file: the params every such stage has ({@code modelPath},
 * {@code inputCol}), schema checks, and saving like Spark's own models (params as Spark's metadata, the model file
 * copied into the saved stage's {@code data/} folder, so a saved pipeline carries its models; loading points
 * {@code modelPath} at that copy). The model itself never travels in a task closure: {@link ModelRef} does, and
 * each executor opens the file once ({@link ModelCache}).
 *
 * <p>Params are set on the driver before {@code transform}; a stage is then immutable as Spark uses it.
 *
 * @param <M> the concrete stage
 */
public abstract class ModelStage<M extends ModelStage<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    protected ModelStage(String uid, String inputDoc) {
        this.uid = uid;
        this.modelPath = new Param<>(
                this,
                "modelPath",
                "the model file: a local or shared path, a Hadoop file system URI, or the name of a file shipped "
                        + "with spark-submit --files");
        this.inputCol = new Param<>(this, "inputCol", inputDoc);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public String getModelPath() {
        return getOrDefault(modelPath);
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    @SuppressWarnings("unchecked")
    public M setModelPath(String path) {
        set(modelPath, path);
        return (M) this;
    }

    @SuppressWarnings("unchecked")
    public M setInputCol(String col) {
        set(inputCol, col);
        return (M) this;
    }

    @Override
    public M copy(ParamMap extra) {
        M copy = defaultCopy(extra);
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelStageIO.Writer(this);
    }

    /** The model the executors open, checked against the driver's copy when the driver can read it. */
    ModelRef modelRef() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid
                    + ": modelPath is not set (setModelPath(path) to the model file)");
        }
        return ModelRef.onDriver(getModelPath());
    }

    /** Checks that the input column is a string column and appends {@code outputs} (whose names must be free). */
    StructType withOutputs(StructType schema, StructField... outputs) {
        if (!isDefined(inputCol)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid + ": inputCol is not set");
        }
        String in = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input column '" + in
                    + "' is not in the dataset (columns: " + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType t = schema.apply(in).dataType();
        if (!t.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input column '" + in
                    + "' must be a string column, got " + t.simpleString());
        }
        StructType out = schema;
        for (StructField f : outputs) {
            if (Arrays.asList(out.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException(
                        getClass().getSimpleName() + ": output column '" + f.name() + "' already exists");
            }
            out = out.add(f);
        }
        return out;
    }
}
