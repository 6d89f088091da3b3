package org.embed4j.spark;

import java.util.Arrays;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.StructType;

/**
 * What embed4j's Spark estimators share: the input column, the file the trained model is written to
 * ({@code modelPath}: local, shared, or a Hadoop file system URI), the seed, and how training is spread
 * ({@link DataParallel}: {@code numPartitions}, {@code roundsPerEpoch}, {@code threadsPerTask}, {@code merge}).
 * Params and
 * save/load are Spark's (DefaultParamsWritable); {@code fit} writes the model file and returns a model stage
 * pointing at it.
 *
 * @param <M> the fitted model
 * @param <S> the concrete estimator (what the setters return)
 */
public abstract class DataParallelEstimator<M extends Model<M>, S extends DataParallelEstimator<M, S>>
        extends Estimator<M> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> modelPath;
    private final LongParam seed;
    private final IntParam numPartitions;
    private final IntParam roundsPerEpoch;
    private final IntParam threadsPerTask;
    private final Param<String> merge;

    @SuppressWarnings("this-escape") // Spark params name their owner when they are created
    protected DataParallelEstimator(String uid, String inputDoc) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", inputDoc);
        this.modelPath = new Param<>(this, "modelPath", "where the trained model file is written");
        this.seed = new LongParam(this, "seed", "random seed");
        this.numPartitions = new IntParam(
                this, "numPartitions", "shards of the training data, one task each per round", ParamValidators.gtEq(1));
        this.roundsPerEpoch =
                new IntParam(this, "roundsPerEpoch", "sync rounds per epoch (>= 1)", ParamValidators.gtEq(1));
        this.threadsPerTask = new IntParam(
                this, "threadsPerTask", "Hogwild threads per task (0: spark.task.cpus)", ParamValidators.gtEq(0));
        this.merge = new Param<>(
                this,
                "merge",
                "how rows that several shards changed are merged: average or sum",
                ParamValidators.inArray(new String[] {"average", "sum"}));
        setDefault(seed, 1L);
        setDefault(merge, DataParallel.DEFAULT_MERGE.name().toLowerCase(java.util.Locale.ROOT));
        setDefault(numPartitions, 2);
        setDefault(roundsPerEpoch, DataParallel.DEFAULT_ROUNDS_PER_EPOCH);
        setDefault(threadsPerTask, 0);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    public IntParam roundsPerEpoch() {
        return roundsPerEpoch;
    }

    public IntParam threadsPerTask() {
        return threadsPerTask;
    }

    public Param<String> merge() {
        return merge;
    }

    public String getMerge() {
        return getOrDefault(merge);
    }

    public S setMerge(String v) {
        return setParam(merge, v);
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getModelPath() {
        return getOrDefault(modelPath);
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    public int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions);
    }

    public int getRoundsPerEpoch() {
        return (Integer) getOrDefault(roundsPerEpoch);
    }

    public int getThreadsPerTask() {
        return (Integer) getOrDefault(threadsPerTask);
    }

    /** Sets a param and returns this estimator (the typed setters of the subclasses use it). */
    @SuppressWarnings("unchecked")
    protected S setParam(Param<?> param, Object value) {
        set((Param<Object>) param, value);
        return (S) this;
    }

    public S setInputCol(String v) {
        return setParam(inputCol, v);
    }

    public S setModelPath(String v) {
        return setParam(modelPath, v);
    }

    public S setSeed(long v) {
        return setParam(seed, v);
    }

    public S setNumPartitions(int v) {
        return setParam(numPartitions, v);
    }

    public S setRoundsPerEpoch(int v) {
        return setParam(roundsPerEpoch, v);
    }

    public S setThreadsPerTask(int v) {
        return setParam(threadsPerTask, v);
    }

    DataParallel parallel() {
        return new DataParallel(
                getNumPartitions(), getRoundsPerEpoch(), getThreadsPerTask(), DataParallel.Merge.parse(getMerge()));
    }

    /** The required params, and the input column present in {@code schema}. */
    void checkInput(StructType schema) {
        for (Param<?> p : new Param<?>[] {inputCol, modelPath}) {
            if (!isDefined(p)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": " + p.name() + " is not set");
            }
        }
        if (!Arrays.asList(schema.fieldNames()).contains(getInputCol())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input column '" + getInputCol()
                    + "' is not in the dataset (columns: " + String.join(", ", schema.fieldNames()) + ")");
        }
    }

    @Override
    public Estimator<M> copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
