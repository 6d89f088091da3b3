package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.MlpFixtures;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explanations: the terms name the rows prediction uses; the shares add up to the logit (minus the bias) for the
 * fastText-style model (float, quantized, loaded from disk) and the MLP; removing the top word lowers the label's
 * logit; models that cannot be split are refused.
 */
class ExplanationTest {
    private static final String[] TEXTS = {
        "What is the capital city of Australia ?",
        "Who wrote the novel about a white whale ?",
        "How many people live in Tokyo ?",
        "When did the second world war end ?",
        "Why is the sky blue ?",
        "What does NASA stand for ?",
        "Where is the tallest mountain in Africa ?",
        "Name a famous painter from Spain .",
    };

    @TempDir
    Path dir;

    @Test
    void termsNameExactlyTheRowsPredictionUses() throws IOException {
        Dictionary words = ClassifierFixtures.trec().dictionary();
        Dictionary chars = new Dictionary(words.words(), words.labels(), 3, 5000, false, 2, 4);
        for (Dictionary d : List.of(words, chars)) {
            for (String t : TEXTS) {
                Dictionary.Terms terms = d.inputTerms(t + " zzzunknownword");
                assertArrayEquals(d.inputRows(t + " zzzunknownword"), terms.rows(), t);
                assertEquals(terms.rows().length, terms.names().size());
            }
            assertEquals(0, d.inputTerms("").rows().length);
        }
        Dictionary.Terms t = chars.inputTerms("what is");
        assertTrue(
                t.names().containsAll(List.of("what", "<wh", "is>", Dictionary.EOS, "what is", "is </s>")),
                t.names().toString());
    }

    @Test
    void characterNgramsAreNamedInBucketOrder() {
        Subwords s = new Subwords(2, 5, 1000);
        for (String w : List.of("a", "what", "naïve", "日本語", "x\uD83D\uDE00y")) {
            List<String> grams = s.ngrams(w);
            int[] buckets = s.ngramBuckets(w);
            assertEquals(buckets.length, grams.size(), w);
            for (int i = 0; i < buckets.length; i++) {
                assertEquals(
                        buckets[i],
                        (int) (Integer.toUnsignedLong(Subwords.hash(grams.get(i))) % 1000),
                        w + " " + grams.get(i));
            }
        }
    }

    @Test
    void fastTextSharesAddUpToTheLogitOnFloatQuantizedAndLoadedModels() throws IOException {
        TextClassifier model = ClassifierFixtures.trec();
        Path saved = dir.resolve("m.e4jc");
        model.save(saved);
        List<Classifier> models = List.of(model, model.quantize(Precision.INT8), TextClassifier.load(saved));
        for (Classifier c : models) {
            for (String text : TEXTS) {
                List<Explanation> ex = c.explain(text, 3);
                assertEquals(3, ex.size());
                List<Prediction> top = c.predict(text, 3);
                for (int i = 0; i < 3; i++) {
                    Explanation e = ex.get(i);
                    assertEquals(top.get(i).label(), e.label());
                    assertEquals(top.get(i).probability(), e.probability());
                    assertEquals(0.0, e.bias());
                    double sum = e.contributions().stream()
                            .mapToDouble(Explanation.Contribution::value)
                            .sum();
                    assertEquals(e.logit(), sum, 1e-9 * Math.max(1, Math.abs(e.logit())), text);
                    for (int j = 1; j < e.contributions().size(); j++) {
                        assertTrue(e.contributions().get(j - 1).value()
                                >= e.contributions().get(j).value());
                    }
                }
                // the softmax of the logits is what the model predicts
                double z = 0;
                for (Explanation e : c.explain(text, model.labels().size())) {
                    z += Math.exp(e.logit() - ex.getFirst().logit());
                }
                assertEquals(ex.getFirst().probability(), 1 / z, 1e-5, text);
            }
        }
    }

    @Test
    void removingTheTopWordLowersTheLabelsLogit() {
        TextClassifier unigrams = new FastTextTrainer(ClassifierFixtures.OPTIONS.withWordNgrams(1)).train(readTrec());
        int checked = 0;
        for (String text : TEXTS) {
            String[] words = text.split(" ");
            if (new LinkedHashSet<>(Arrays.asList(words)).size() != words.length) {
                continue; // a repeated word's share is the sum of its occurrences: the claim is about single ones
            }
            Explanation e = unigrams.explain(text, 1).getFirst();
            String topWord = e.contributions().getFirst().term();
            if (topWord.equals(Dictionary.EOS)) {
                continue; // every text has the end-of-line row; it cannot be removed
            }
            checked++;
            List<String> rest = new ArrayList<>(Arrays.asList(words));
            rest.remove(topWord);
            Explanation without = unigrams
                    .explain(String.join(" ", rest), unigrams.labels().size())
                    .stream()
                    .filter(x -> x.label().equals(e.label()))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    without.logit() < e.logit(),
                    text + ": without '" + topWord + "' " + without.logit() + " vs " + e.logit());
        }
        assertTrue(checked >= 4, "texts checked: " + checked);
    }

    @Test
    void mlpSharesAddUpToTheLogitMinusTheBiasAndTheTopWordMatters() throws IOException {
        MlpClassifier mlp = MlpFixtures.trained().classifier();
        int lowered = 0;
        int texts = 0;
        for (String text : TEXTS) {
            List<Explanation> ex = mlp.explain(text, 2);
            float[] probs = mlp.probabilities(text);
            for (Explanation e : ex) {
                double sum = e.contributions().stream()
                        .mapToDouble(Explanation.Contribution::value)
                        .sum();
                assertEquals(e.logit(), e.bias() + sum, 1e-6 * Math.max(1, Math.abs(e.logit())), text);
                assertEquals(probs[mlp.labels().indexOf(e.label())], e.probability(), 1e-7);
            }
            Explanation e = ex.getFirst();
            if (e.contributions().isEmpty()) {
                continue;
            }
            String top = e.contributions().getFirst().term();
            String without = String.join(
                    " ",
                    Arrays.stream(text.toLowerCase(java.util.Locale.ROOT).split(" "))
                            .filter(w -> !w.equals(top))
                            .toList());
            double after = mlp.explain(without, mlp.labels().size()).stream()
                    .filter(x -> x.label().equals(e.label()))
                    .findFirst()
                    .orElseThrow()
                    .logit();
            texts++;
            lowered += after < e.logit() ? 1 : 0;
        }
        // ReLU units switch as words go, so gradient x input is a local account: most, not all, texts obey it
        assertTrue(lowered >= texts * 3 / 4, lowered + " of " + texts);
    }

    @Test
    void hierarchicalSoftmaxModelsAreRefused() {
        TextClassifier hs = new FastTextTrainer(
                        ClassifierFixtures.OPTIONS.withLoss(ClassifierLoss.HS).withEpoch(2))
                .train(readTrec());
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> hs.explain("What is it ?", 1));
        assertTrue(e.getMessage().contains("hierarchical softmax"), e.getMessage());
    }

    private static List<LabeledText> readTrec() {
        try {
            return ClassifierFixtures.read("trec-400.train.txt");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
