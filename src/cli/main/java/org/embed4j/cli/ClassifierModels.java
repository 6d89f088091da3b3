package org.embed4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.mlp.MlpClassifier;

/**
 * How the classifier commands open a saved model of either kind: a fastText-style model starts with the
 * magic "E4JC"; an MLP model is a safetensors file (an 8-byte header length, then its JSON header, so byte 8 is
 * '{'). Anything else is refused with a message naming the file. Stateless.
 */
final class ClassifierModels {
    private static final byte[] E4JC = {'E', '4', 'J', 'C'};

    private ClassifierModels() {}

    /** The model in {@code path}, of whichever kind its first bytes say. */
    static Classifier load(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(9);
        }
        if (head.length == 0) {
            throw new IOException(path + ": the file is empty, not an embed4j classifier");
        }
        if (head.length >= 4 && java.util.Arrays.equals(head, 0, 4, E4JC, 0, 4)) {
            return TextClassifier.load(path);
        }
        if (head.length == 9 && head[8] == '{') {
            return MlpClassifier.load(path);
        }
        throw new IOException(path + ": not an embed4j classifier (neither a fastText-style model starting with"
                + " \"E4JC\" nor an MLP model in safetensors)");
    }
}
