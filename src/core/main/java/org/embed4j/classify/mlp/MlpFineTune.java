package org.embed4j.classify.mlp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.embed4j.backend.Backend;
import org.embed4j.classify.LabeledText;
import org.embed4j.nn.Parameter;
import org.embed4j.tensor.Tensor;

/**
 * Fine-tuning a trained MLP on new labelled data ({@link MlpTrainer#initFrom}): the vocabulary is the old terms in
 * their old order, then the new training terms of count &ge; minCount that the model lacks; the labels are the old
 * ones, then the new ones in name order. The embedding rows of old terms, the whole hidden layer and the output rows
 * of old labels start from the model; new terms' rows and new labels' output rows start as a fresh model's do.
 * Dimension, hidden width and n-gram length must be the model's. Stateless.
 */
final class MlpFineTune {
    private MlpFineTune() {}

    static void check(MlpClassifier init, MlpConfig config) {
        MlpConfig o = init.config();
        if (o.dim() != config.dim() || o.hidden() != config.hidden() || o.wordNgrams() != config.wordNgrams()) {
            throw new IllegalArgumentException("fine-tuning (--init) keeps the model's shape: dim " + o.dim()
                    + ", hidden " + o.hidden() + ", word n-grams " + o.wordNgrams() + "; the options say dim "
                    + config.dim() + ", hidden " + config.hidden() + ", word n-grams " + config.wordNgrams());
        }
    }

    static List<String> labels(MlpClassifier init, List<LabeledText> examples) {
        List<String> out = new ArrayList<>(init.labels());
        Set<String> known = new HashSet<>(out);
        for (String l : new TreeSet<>(examples.stream().map(LabeledText::label).toList())) {
            if (!known.contains(l)) {
                out.add(l);
            }
        }
        return List.copyOf(out);
    }

    /** The old terms, then {@code kept} (the new data's terms seen minCount+ times, in order) that are new. */
    static List<String> words(MlpClassifier init, List<Map.Entry<String, Integer>> kept) {
        List<String> out = new ArrayList<>(init.words());
        Set<String> known = new HashSet<>(out);
        for (Map.Entry<String, Integer> e : kept) {
            if (!known.contains(e.getKey())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Copies the model's weights into the leading rows of the new module's parameters. */
    static void copyWeights(MlpClassifier init, TextMlp model, Backend backend) {
        int d = init.config().dim();
        int h = init.config().hidden();
        int k = init.labels().size();
        copy(backend, model.embedding().weight(), init.embedding(), init.words().size(), d);
        copy(backend, model.hidden().weight(), init.hiddenWeight(), h, d);
        copy(backend, model.hidden().bias(), init.hiddenBias(), h, 1);
        copy(backend, model.output().weight(), init.outputWeight(), k, h);
        copy(backend, model.output().bias(), init.outputBias(), k, 1);
    }

    private static void copy(Backend backend, Parameter p, float[] values, int rows, int width) {
        Tensor dst = p.data().rows(0, rows);
        try (Tensor host = width == 1 ? Tensor.of(values, rows) : Tensor.of(values, rows, width)) {
            if (backend.device().isHost()) {
                backend.copy(dst, host);
            } else {
                try (Tensor onDevice = backend.fromHost(host)) {
                    backend.copy(dst, onDevice);
                }
            }
        }
    }
}
