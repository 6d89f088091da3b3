package org.embed4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saving and loading {@link ModelStage}s the way Spark saves its own models: {@code <path>/metadata} holds the
 * params (Spark's DefaultParamsWriter format, so PipelineModel.load finds the class and its {@code read()}), and
 * {@code <path>/data/<model file name>} a copy of the model file, through the Hadoop file system API (local,
 * HDFS, S3, ...). Loading sets {@code modelPath} to that copy when it is there.
 */
final class ModelStageIO {
    private ModelStageIO() {}

    static final class Writer extends MLWriter {
        private final ModelStage<?> stage;

        Writer(ModelStage<?> stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(stage, path, sparkSession());
            if (!stage.isDefined(stage.modelPath())) {
                return;
            }
            String model = stage.getModelPath();
            try {
                Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
                Path local = ModelFiles.local(model);
                org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(local.toUri());
                org.apache.hadoop.fs.Path dst =
                        dataFile(path, local.getFileName().toString());
                FileUtil.copy(src.getFileSystem(conf), src, dst.getFileSystem(conf), dst, false, true, conf);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not copy the model file " + model + " into the saved stage at " + path, e);
            }
        }
    }

    static final class Reader<T extends ModelStage<T>> extends MLReader<T> {
        private final Class<T> type;

        Reader(Class<T> type) {
            this.type = type;
        }

        @Override
        public T load(String path) {
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sparkSession(), type.getName());
            T stage;
            try {
                stage = type.getConstructor(String.class).newInstance(meta.uid());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + type.getName(), e);
            }
            meta.getAndSetParams(stage, scala.Option.empty());
            if (stage.isDefined(stage.modelPath())) {
                String name = new org.apache.hadoop.fs.Path(stage.getModelPath()).getName();
                org.apache.hadoop.fs.Path copy = dataFile(path, name);
                try {
                    FileSystem fs =
                            copy.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                    if (fs.exists(copy)) {
                        stage.setModelPath(fs.makeQualified(copy).toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot look for the model file in " + path, e);
                }
            }
            return stage;
        }
    }

    private static org.apache.hadoop.fs.Path dataFile(String stagePath, String name) {
        return new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(stagePath, "data"), name);
    }
}
