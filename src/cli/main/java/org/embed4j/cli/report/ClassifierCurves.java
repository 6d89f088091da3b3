package org.embed4j.cli.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.cli.plot.TrainingCurve;

/**
 * The classifiers' training curves, one point an epoch: the fastText-style trainer's training loss; the MLP's
 * training and dev loss in one panel and its dev accuracy in another. Stateless.
 */
public final class ClassifierCurves {
    private ClassifierCurves() {}

    /** The fastText-style trainer's mean training loss per epoch. */
    public static void fastText(Path png, String title, List<FastTextTrainer.EpochStats> epochs) throws IOException {
        double[] x = new double[epochs.size()];
        double[] y = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i).epoch();
            y[i] = epochs.get(i).meanLoss();
        }
        TrainingCurve.write(
                png,
                title,
                "epoch",
                List.of(new TrainingCurve.Panel(
                        "training loss per example", List.of(new TrainingCurve.Series("training loss", x, y)))));
    }

    /**
     * The MLP trainer's records (epoch, loss, dev_loss, dev_accuracy; the dev fields absent without a dev split), with
     * the epoch that early stopping kept marked on the dev accuracy.
     */
    public static void mlp(Path png, String title, List<Map<String, Object>> records, int keptEpoch)
            throws IOException {
        TrainingCurve.Series accuracy = TrainingCurve.Series.of("dev accuracy", records, "epoch", "dev_accuracy")
                .times(100);
        double[] keptY = {Double.NaN};
        for (int i = 0; i < accuracy.x().length; i++) {
            if (accuracy.x()[i] == keptEpoch) {
                keptY[0] = accuracy.y()[i];
            }
        }
        TrainingCurve.Series kept =
                new TrainingCurve.Series("kept: epoch " + keptEpoch, new double[] {keptEpoch}, keptY);
        TrainingCurve.write(
                png,
                title,
                "epoch",
                List.of(
                        new TrainingCurve.Panel(
                                "loss per example",
                                List.of(
                                        TrainingCurve.Series.of("training loss", records, "epoch", "loss"),
                                        TrainingCurve.Series.of("dev loss", records, "epoch", "dev_loss"))),
                        new TrainingCurve.Panel("dev accuracy (%)", List.of(accuracy, kept))));
    }
}
