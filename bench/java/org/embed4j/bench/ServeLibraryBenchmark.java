package org.embed4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The in-process library figures behind the HTTP service, per call, sampled (JMH SampleTime gives p50/p99):
 * {@code predict} of a 20-word text by the served classifier, and {@code nearest} k=10 on the served
 * 100k-word model. The models are the ones bench/suites/serve.sh writes into {@code -Dserve.dir}
 * ({@link ServeLoad} models). Setup checks one answer of each against a brute-force reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServeLibraryBenchmark {
    private TextClassifier classifier;
    private WordVectors vectors;
    private String[] texts;
    private String[] words;
    private int next;

    @Setup
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("serve.dir", "/tmp/embed4j-serve-bench"));
        classifier = TextClassifier.load(dir.resolve("classifier.e4jc"));
        vectors = VectorsIO.read(dir.resolve("vectors.e4jv"));
        SplittableRandom r = new SplittableRandom(5);
        texts = new String[64];
        words = new String[64];
        for (int i = 0; i < texts.length; i++) {
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 20; w++) {
                t.append(w == 0 ? "" : " ").append("w").append(r.nextInt(20_000));
            }
            texts[i] = t.toString();
            words[i] = "w" + r.nextInt(vectors.size());
        }
        checkAgainstReference();
    }

    private void checkAgainstReference() {
        PredictBenchmark.checkPredict(classifier, texts[0]);
        float[] q = vectors.vector(words[0]);
        int bestRow = -1;
        double bestCos = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vectors.size(); v++) {
            if (v == vectors.indexOf(words[0])) {
                continue;
            }
            float[] x = vectors.vector(v);
            double dot = 0;
            double nq = 0;
            double nx = 0;
            for (int d = 0; d < q.length; d++) {
                dot += (double) q[d] * x[d];
                nq += (double) q[d] * q[d];
                nx += (double) x[d] * x[d];
            }
            double cos = dot / Math.sqrt(nq * nx);
            if (cos > bestCos) {
                bestCos = cos;
                bestRow = v;
            }
        }
        List<Neighbor> n = vectors.nearest(words[0], 10);
        if (!n.get(0).word().equals(vectors.words().get(bestRow))) {
            throw new IllegalStateException("nearest " + n.get(0) + " but brute force says "
                    + vectors.words().get(bestRow));
        }
    }

    @Benchmark
    public List<Prediction> predict() {
        next = (next + 1) & 63;
        return classifier.predict(texts[next], 1);
    }

    @Benchmark
    public List<Neighbor> nearest() {
        next = (next + 1) & 63;
        return vectors.nearest(words[next], 10);
    }
}
