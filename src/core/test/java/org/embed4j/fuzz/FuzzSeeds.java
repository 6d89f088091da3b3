package org.embed4j.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.backend.Backends;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.mlp.MlpConfig;
import org.embed4j.classify.mlp.MlpTrainer;
import org.embed4j.deploy.Precision;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.testing.RandomVectors;
import org.embed4j.testing.TestFiles;
import org.embed4j.text.Subwords;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the checked-in seed inputs of {@link ReaderTargets} to {@code src/core/test/resources/fuzz/<target>}: small
 * valid files of every format and variant (subwords or not, int8 and fp16, every classifier storage), written by the
 * real writers. Run it after a format change:
 * {@code mvn -pl src/core -Dtest=FuzzSeeds -Dembed4j.fuzz.writeSeeds=true test}. Old seeds are kept (they are files
 * of older format versions, which must still read), new ones are added under new names.
 */
class FuzzSeeds {
    @TempDir
    Path tmp;

    private Path root;

    @Test
    @EnabledIfSystemProperty(named = "embed4j.fuzz.writeSeeds", matches = "true")
    void write() throws IOException {
        root = TestFiles.repoRoot().resolve("src/core/test/resources/fuzz");
        WordVectors plain = RandomVectors.model(1, 6, 4);
        List<String> words = List.of("the", "cat", "sat", "on", "mat");
        float[] rows = RandomVectors.gaussian(2, 5 * 3);
        WordVectors sub =
                WordVectors.withSubwords(words, rows, RandomVectors.gaussian(3, 7 * 3), 3, new Subwords(2, 3, 7));
        WordVectors empty = WordVectors.of(List.of(), new float[0], 3);
        vectors("word2vec-text", VectorsFormat.WORD2VEC_TEXT, plain, empty);
        vectors("word2vec-binary", VectorsFormat.WORD2VEC_BINARY, plain, empty);
        vectors("fasttext-vec", VectorsFormat.FASTTEXT_VEC, plain, sub);
        vectors("glove", VectorsFormat.GLOVE, plain, sub);
        vectors("e4jv", VectorsFormat.NATIVE, plain, sub, empty);
        safetensors(plain, sub);
        int i = 0;
        for (VectorsFormat f : VectorsFormat.values()) {
            if (f != VectorsFormat.SAFETENSORS && f != VectorsFormat.GLOVE) {
                seed("detect", "v" + i++ + ".bin", bytes(plain, f));
            }
        }
        for (Precision p : Precision.values()) {
            for (WordVectors v : List.of(plain, sub)) {
                Path q = tmp.resolve("q.e4jq");
                QuantizedVectors.quantize(v, p).save(q);
                seed("e4jq", p + (v == sub ? "-subwords" : "") + ".e4jq", Files.readAllBytes(q));
            }
        }
        classifiers();
        text("labeled-text", "fasttext.txt", "__label__a __label__b hello world\n__label__c bye\n\n");
        text("labeled-text", "tsv.txt", "pos\tgood film\nneg\tbad film\n");
        text("word-pairs", "pairs.txt", "# w1 w2 score\nman king 7.5\nwoman\tqueen\t8\nbig small 2\nzzz a 1\n");
        text(
                "analogy-questions",
                "questions-words.txt",
                ": capital\nman king woman queen\n: gram1\nbig bigger small smaller\n");
        text("vocab-file", "vocab.txt", "</s> 0\nthe 40\ncat 7\nsat 5\n");
        text("analogy-questions", "msr.csv", ",type,word1,word2,word3,target\n0,x,man,king,woman,queen\n");
    }

    private void vectors(String target, VectorsFormat f, WordVectors... models) throws IOException {
        int i = 0;
        for (WordVectors v : models) {
            seed(target, "seed" + i++ + ".in", bytes(v, f));
        }
    }

    private byte[] bytes(WordVectors v, VectorsFormat f) throws IOException {
        Path p = tmp.resolve("v");
        VectorsIO.write(v, p, f);
        return Files.readAllBytes(p);
    }

    private void safetensors(WordVectors... models) throws IOException {
        int i = 0;
        for (WordVectors v : models) {
            Path p = tmp.resolve("v.safetensors");
            VectorsIO.write(v, p, VectorsFormat.SAFETENSORS);
            byte[] vocab = Files.readAllBytes(tmp.resolve("v.safetensors.vocab.txt"));
            byte[] file = Files.readAllBytes(p);
            ByteBuffer b = ByteBuffer.allocate(4 + vocab.length + file.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(vocab.length).put(vocab).put(file);
            seed("safetensors", "seed" + i++ + ".in", b.array());
        }
    }

    private void classifiers() throws IOException {
        List<LabeledText> examples = new ArrayList<>();
        String[][] topics = {{"sport", "goal match team win"}, {"food", "bread cheese eat cook"}};
        for (int i = 0; i < 20; i++) {
            String[] t = topics[i % 2];
            examples.add(LabeledText.of(t[0], t[1] + " " + i));
        }
        ClassifierOptions o = ClassifierOptions.DEFAULTS
                .withDim(4)
                .withBucket(50)
                .withWordNgrams(2)
                .withEpoch(2)
                .withThreads(1);
        TextClassifier model = new FastTextTrainer(o).train(examples);
        Path c = tmp.resolve("m.e4jc");
        model.save(c);
        seed("e4jc", "float32.e4jc", Files.readAllBytes(c));
        for (Precision p : Precision.values()) {
            model.quantize(p).save(c);
            seed("e4jc", p + ".e4jc", Files.readAllBytes(c));
        }
        MlpConfig m = new MlpConfig(1, 8, 4, 4, 1e-2f, 7L, 0f, 1, 1, 0f, 1);
        Path mlp = tmp.resolve("m.safetensors");
        new MlpTrainer(m, Backends.get("java")).train(examples).classifier().save(mlp);
        seed("mlp", "mlp.safetensors", Files.readAllBytes(mlp));
    }

    private void text(String target, String name, String content) throws IOException {
        seed(target, name, content.getBytes(StandardCharsets.UTF_8));
    }

    private void seed(String target, String name, byte[] bytes) throws IOException {
        Path dir = root.resolve(target);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
