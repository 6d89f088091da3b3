package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int8 and fp16 classifiers: same answers as the float model on the fixtures, smaller files, exact round trips. */
class QuantizedClassifierTest {

    private static List<LabeledText> test() throws Exception {
        return ClassifierFixtures.read("trec-150.test.txt");
    }

    @Test
    void quantizedModelsAgreeWithTheFloatModel() throws Exception {
        TextClassifier base = ClassifierFixtures.trec();
        double baseAccuracy = ClassifierMetrics.evaluate(base, test(), 1).accuracy();
        for (Precision p : Precision.values()) {
            TextClassifier q = base.quantize(p);
            assertEquals(Optional.of(p), q.precision());
            int agree = 0;
            for (LabeledText e : test()) {
                if (q.predictLabel(e.text()).equals(base.predictLabel(e.text()))) {
                    agree++;
                }
                float[] pb = base.probabilities(e.text());
                float[] pq = q.probabilities(e.text());
                for (int c = 0; c < pb.length; c++) {
                    assertEquals(pb[c], pq[c], p == Precision.INT8 ? 0.05 : 0.005, p + " " + e.text());
                }
            }
            assertTrue(agree >= 0.95 * test().size(), p + ": top label agrees on " + agree + " of " + test().size());
            double acc = ClassifierMetrics.evaluate(q, test(), 1).accuracy();
            assertEquals(baseAccuracy, acc, 0.02, p + " accuracy");
        }
    }

    @Test
    void hsAndNsModelsQuantizeToo() throws Exception {
        List<LabeledText> train = ClassifierFixtures.read("trec-400.train.txt");
        for (ClassifierLoss loss : List.of(ClassifierLoss.HS, ClassifierLoss.NS, ClassifierLoss.OVA)) {
            TextClassifier base = new FastTextTrainer(
                            ClassifierFixtures.OPTIONS.withLoss(loss).withEpoch(10))
                    .train(train);
            TextClassifier q = base.quantize(Precision.INT8);
            int agree = 0;
            for (LabeledText e : test()) {
                agree += q.predictLabel(e.text()).equals(base.predictLabel(e.text())) ? 1 : 0;
            }
            assertTrue(agree >= 0.95 * test().size(), loss + ": top label agrees on " + agree);
        }
    }

    @Test
    void int8FileIsAtLeastThreeTimesSmallerAndRoundTrips(@TempDir Path dir) throws Exception {
        TextClassifier base = ClassifierFixtures.trec();
        Path floatFile = dir.resolve("f32.e4jc");
        base.save(floatFile);
        for (Precision p : Precision.values()) {
            TextClassifier q = base.quantize(p);
            Path file = dir.resolve(p + ".e4jc");
            q.save(file);
            double ratio = (double) Files.size(floatFile) / Files.size(file);
            assertTrue(ratio >= (p == Precision.INT8 ? 3.0 : 1.8), p + " file only " + ratio + "x smaller");
            long rows = (long) base.dictionary().inputRows() + base.labels().size();
            int dim = base.options().dim();
            assertEquals(rows * dim * Float.BYTES, base.weightBytes());
            assertEquals(
                    p == Precision.INT8 ? rows * (dim + Float.BYTES) : rows * dim * 2, q.weightBytes(), p + " weights");
            TextClassifier loaded = TextClassifier.load(file);
            assertEquals(Optional.of(p), loaded.precision());
            assertEquals(base.options(), loaded.options());
            for (LabeledText e : test()) {
                assertArrayEquals(q.probabilities(e.text()), loaded.probabilities(e.text()), 0f, e.text());
            }
        }
    }

    @Test
    void aQuantizedModelIsNotQuantizedTwice() throws Exception {
        TextClassifier q = ClassifierFixtures.trec().quantize(Precision.INT8);
        var e = assertThrows(IllegalStateException.class, () -> q.quantize(Precision.FP16));
        assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
    }
}
