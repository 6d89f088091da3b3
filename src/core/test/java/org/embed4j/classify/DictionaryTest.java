package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input rows of a text against fastText's recipe, recomputed here the slow, obvious way. */
class DictionaryTest {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** fastText's word-n-gram bucket: uint64 arithmetic over int32 hashes sign-extended, modulo bucket. */
    private static int ngramBucket(List<String> tokens, int bucket) {
        BigInteger h = BigInteger.valueOf(Fnv1a.fastText(tokens.get(0))).mod(TWO_64);
        for (int j = 1; j < tokens.size(); j++) {
            h = h.multiply(BigInteger.valueOf(116049371))
                    .add(BigInteger.valueOf(Fnv1a.fastText(tokens.get(j))))
                    .mod(TWO_64);
        }
        return h.mod(BigInteger.valueOf(bucket)).intValue();
    }

    @Test
    void wordsThenEndOfLineThenHashedNgrams() {
        int bucket = 1000;
        Dictionary d = new Dictionary(List.of(Dictionary.EOS, "good", "film"), List.of("pos"), 3, bucket, false);
        int[] rows = d.inputRows("good film unseen");
        int w = 3;
        int[] expected = {
            1,
            2,
            0,
            w + ngramBucket(List.of("good", "film"), bucket),
            w + ngramBucket(List.of("good", "film", "unseen"), bucket),
            w + ngramBucket(List.of("film", "unseen"), bucket),
            w + ngramBucket(List.of("film", "unseen", Dictionary.EOS), bucket),
            w + ngramBucket(List.of("unseen", Dictionary.EOS), bucket)
        };
        assertArrayEquals(expected, rows);
        assertArrayEquals(new int[0], d.inputRows("   "));
    }

    @Test
    void characterNgramsOfKnownAndUnknownWords() {
        int bucket = 5000;
        Dictionary d = new Dictionary(List.of(Dictionary.EOS, "cat"), List.of("x"), 1, bucket, false, 3, 4);
        Subwords s = new Subwords(3, 4, bucket);
        int[] rows = d.inputRows("cat dog");
        int[] cat = s.ngramBuckets("cat");
        int[] dog = s.ngramBuckets("dog");
        int[] expected = new int[1 + cat.length + dog.length + 1];
        int n = 0;
        expected[n++] = 1;
        for (int b : cat) {
            expected[n++] = 2 + b;
        }
        for (int b : dog) {
            expected[n++] = 2 + b;
        }
        expected[n] = 0; // EOS, without n-grams
        assertArrayEquals(expected, rows);
    }

    @Test
    void charNgramModelSavesAndLoads(@TempDir Path dir) throws Exception {
        List<LabeledText> train = ClassifierFixtures.read("sms-300.tsv");
        TextClassifier c =
                new FastTextTrainer(ClassifierFixtures.OPTIONS.withEpoch(3).withCharNgrams(2, 4)).train(train);
        Path f = dir.resolve("sub.e4jc");
        c.save(f);
        TextClassifier l = TextClassifier.load(f);
        assertEquals(c.options(), l.options());
        for (String t : List.of("FREE entry WINNER txt now", "see you at home later", "frEEE wiinner")) {
            assertArrayEquals(c.probabilities(t), l.probabilities(t), 0f, t);
        }
    }
}
