package org.embed4j.docvec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.backend.Backends;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Paragraph vectors on a synthetic corpus whose documents each draw their words from one of four topics (plus
 * function words): the documents of a topic must end up as each other's nearest neighbours (PV-DBOW with
 * hierarchical softmax or negatives, with and without word training; PV-DM), an inferred vector for a training
 * document's text must land near that document's trained vector and in its topic, one thread must be reproducible
 * bit for bit, and a saved model must load back to the same vectors and the same inferences.
 */
class DocVectorsTest {
    private static final List<String> TOPICS = TopicCorpus.TOPICS;
    private static final int DOCS = 240;

    @TempDir
    static Path dir;

    static Path corpus;
    static List<String> texts = new ArrayList<>();

    /** Document i: 14 words of topic i % 4, one word in four a function word. */
    @BeforeAll
    static void writeCorpus() throws IOException {
        SplittableRandom r = new SplittableRandom(17);
        String[] fn = {"the", "a", "and", "of", "with", "is"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < DOCS; i++) {
            String[] topic = TOPICS.get(i % TOPICS.size()).split(" ");
            StringBuilder doc = new StringBuilder();
            for (int k = 0; k < 14; k++) {
                doc.append(k > 0 ? " " : "")
                        .append(r.nextInt(4) == 0 ? fn[r.nextInt(fn.length)] : topic[r.nextInt(topic.length)]);
            }
            texts.add(doc.toString());
            sb.append(doc).append('\n');
        }
        corpus = Files.writeString(dir.resolve("docs.txt"), sb.toString());
    }

    private static DocVectorOptions small(DocVectorOptions.Mode mode) {
        String backend;
        try {
            Backends.get("cpu");
            backend = "cpu";
        } catch (IllegalStateException e) {
            backend = "java";
        }
        Word2VecOptions w = Word2VecOptions.defaults()
                .withDim(24)
                .withWindow(3)
                .withMinCount(1)
                .withSample(0)
                .withEpochs(30)
                .withThreads(1)
                .withSeed(5)
                .withNegTableSize(100_000)
                .withBackend(backend);
        return DocVectorOptions.defaults().withMode(mode).withTraining(w);
    }

    /**
     * PV-DM with hierarchical softmax separates the topics less cleanly here (its context words carry the topic
     * too): a lower bar, still far above the 0.25 of unrelated vectors.
     */
    @ParameterizedTest(name = "{0} hs={1} negative={2} dbowWords={3}")
    @CsvSource({
        "DBOW,true,0,false,0.9",
        "DBOW,false,5,false,0.9",
        "DBOW,true,0,true,0.9",
        "DM,true,0,false,0.55",
        "DM,false,5,false,0.9"
    })
    void documentsOfATopicAreNeighbours(
            DocVectorOptions.Mode mode, boolean hs, int negative, boolean dbowWords, double minPrecision)
            throws IOException {
        DocVectorOptions o = small(mode).withDbowWords(dbowWords);
        o = o.withTraining(o.training().withHs(hs).withNegative(negative));
        DocVectorModel m = new DocVectorTrainer(o).train(corpus);
        assertEquals(DOCS, m.documents());
        double p = topicPrecision(m.documentVectors(), 5);
        assertTrue(p >= minPrecision, mode + " topic precision of the 5 nearest documents " + p);
    }

    @Test
    void inferenceLandsNearTheTrainedVectorAndSavedModelsLoadBack() throws IOException {
        DocVectorModel m = new DocVectorTrainer(small(DocVectorOptions.Mode.DBOW)).train(corpus);
        WordVectors docs = m.documentVectors();
        int inTopic = 0;
        double ownCos = 0;
        double otherCos = 0;
        for (int i = 0; i < 40; i++) {
            float[] v = m.infer(texts.get(i));
            List<Neighbor> nn = docs.nearest(v, 5);
            for (Neighbor n : nn) {
                inTopic += Integer.parseInt(n.word()) % TOPICS.size() == i % TOPICS.size() ? 1 : 0;
            }
            ownCos += WordVectors.cosine(v, docs.vector(i));
            otherCos += WordVectors.cosine(v, docs.vector((i + 1) % DOCS)); // another topic
            assertArrayEquals(v, m.infer(texts.get(i)), "inference is deterministic");
            assertEquals(i, m.documentOf(texts.get(i)));
        }
        assertTrue(inTopic >= 0.9 * 40 * 5, inTopic + " of 200 neighbours of inferred vectors in the topic");
        assertTrue(
                ownCos / 40 > 0.5 && ownCos > otherCos + 0.3 * 40,
                "mean cosine to the document's own vector " + ownCos / 40 + ", to another topic's " + otherCos / 40);
        assertEquals(-1, m.documentOf("a text never seen"));

        Path file = dir.resolve("model/pv.docvec.safetensors");
        m.save(file);
        DocVectorModel back = DocVectorModel.load(file);
        assertEquals(m.options().mode(), back.options().mode());
        // threads and the backend belong to the machine that runs a model, not to the model
        assertEquals(
                m.options().training().withThreads(1).withBackend("auto"),
                back.options().training().withThreads(1).withBackend("auto"));
        assertEquals(m.vocabulary().words(), back.vocabulary().words());
        for (int i = 0; i < DOCS; i += 17) {
            assertArrayEquals(docs.vector(i), back.documentVectors().vector(i), "doc " + i);
        }
        assertArrayEquals(m.infer(texts.get(3)), back.infer(texts.get(3)), "the same inference after loading");
        assertArrayEquals(m.wordVectors().vector("apple"), back.wordVectors().vector("apple"));
    }

    @Test
    void oneThreadIsReproducibleBitForBit() throws IOException {
        DocVectorOptions o = small(DocVectorOptions.Mode.DM);
        o = o.withTraining(o.training().withEpochs(3));
        WordVectors a = new DocVectorTrainer(o).train(corpus).documentVectors();
        WordVectors b = new DocVectorTrainer(o).train(corpus).documentVectors();
        for (int i = 0; i < DOCS; i++) {
            assertArrayEquals(a.vector(i), b.vector(i), "doc " + i);
        }
    }

    @Test
    void badOptionsAndFilesAreNamed() throws IOException {
        DocVectorOptions o = small(DocVectorOptions.Mode.DBOW);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new DocVectorTrainer(o.withTraining(o.training().withSubwords(3, 6, 1000))));
        assertTrue(e.getMessage().contains("maxn"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DocVectorOptions.Mode.parse("lda"));
        assertThrows(IllegalArgumentException.class, () -> new DocVectorTrainer(o.withInferEpochs(-1)));
        Path notAModel = Files.writeString(dir.resolve("not-a-model.safetensors"), "garbage");
        assertThrows(IOException.class, () -> DocVectorModel.load(notAModel));
    }

    /** Share of the k nearest documents (by trained vector) that share the document's topic. */
    private static double topicPrecision(WordVectors docs, int k) {
        int hit = 0;
        int all = 0;
        for (int i = 0; i < docs.size(); i++) {
            for (Neighbor n : docs.nearest(Integer.toString(i), k)) {
                hit += Integer.parseInt(n.word()) % TOPICS.size() == i % TOPICS.size() ? 1 : 0;
                all++;
            }
        }
        return hit / (double) all;
    }
}
