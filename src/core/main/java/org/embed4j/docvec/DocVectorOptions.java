package org.embed4j.docvec;

import java.util.Locale;
import java.util.Objects;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * Paragraph-vector options (Le &amp; Mikolov 2014; gensim's Doc2Vec): the architecture, whether PV-DBOW also trains
 * word vectors (skip-gram over the same windows, gensim's dbow_words), the epochs of inference ({@code inferEpochs},
 * 0 = the training epochs, as gensim's infer_vector), and the word2vec settings they share: dim, window, negative
 * and/or hs, sample, minCount, maxVocab, epochs, lr (NaN: 0.025 for both architectures, gensim's alpha), minLr,
 * cbowMean (PV-DM's mean or sum, gensim's dm_mean), threads, seed, lowercase, backend. The word2vec model (sg/cbow)
 * is set by the architecture; subwords are not supported.
 *
 * <p>Defaults ({@link #defaults()}): PV-DBOW without word training, dim 100, window 5, negative 5, sample 1e-4,
 * min-count 5, 10 epochs. Immutable; {@link #validate()} names the first bad setting.
 */
public record DocVectorOptions(Mode mode, boolean dbowWords, int inferEpochs, Word2VecOptions training) {

    /** PV-DBOW: the document vector predicts each of its words; PV-DM: it joins the context words' input. */
    public enum Mode {
        DBOW,
        DM;

        /** "dbow", "pv-dbow" or "dm", "pv-dm", any case. */
        public static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "dbow", "pv-dbow" -> DBOW;
                case "dm", "pv-dm" -> DM;
                default -> throw new IllegalArgumentException("unknown model '" + s + "': expected dbow or dm");
            };
        }
    }

    /** PV-DBOW, no word training, 10 epochs, word2vec's other defaults. */
    public static DocVectorOptions defaults() {
        return new DocVectorOptions(
                Mode.DBOW, false, 0, Word2VecOptions.defaults().withEpochs(10));
    }

    /** Throws {@link IllegalArgumentException} naming the first bad setting. */
    public DocVectorOptions validate() {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be DBOW or DM, got null");
        }
        Objects.requireNonNull(training, "training options must not be null");
        if (inferEpochs < 0) {
            throw new IllegalArgumentException("inferEpochs must be >= 0 (0: the training epochs), got " + inferEpochs);
        }
        if (training.subwords()) {
            throw new IllegalArgumentException(
                    "document vectors do not train subwords: set maxn to 0, got " + training.maxn());
        }
        word2vec().validate();
        return this;
    }

    /** The word2vec settings in effect: skip-gram for PV-DBOW, CBOW for PV-DM, lr 0.025 unless set. */
    public Word2VecOptions word2vec() {
        Word2VecOptions o =
                training.withModel(mode == Mode.DBOW ? Word2VecOptions.Model.SG : Word2VecOptions.Model.CBOW);
        return Float.isNaN(o.lr()) ? o.withLr(0.025f) : o;
    }

    /** The epochs of {@link DocVectorModel#infer}: {@link #inferEpochs}, or the training epochs when 0. */
    public int effectiveInferEpochs() {
        return inferEpochs > 0 ? inferEpochs : training.epochs();
    }

    public DocVectorOptions withMode(Mode m) {
        return new DocVectorOptions(m, dbowWords, inferEpochs, training);
    }

    public DocVectorOptions withDbowWords(boolean v) {
        return new DocVectorOptions(mode, v, inferEpochs, training);
    }

    public DocVectorOptions withInferEpochs(int v) {
        return new DocVectorOptions(mode, dbowWords, v, training);
    }

    public DocVectorOptions withTraining(Word2VecOptions v) {
        return new DocVectorOptions(mode, dbowWords, inferEpochs, v);
    }
}
