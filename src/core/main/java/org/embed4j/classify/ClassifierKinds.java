package org.embed4j.classify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.embed4j.classify.mlp.MlpClassifier;

/**
 * Which kind of classifier a saved file holds, for {@link Classifier#load}: a fastText-style model
 * ({@link TextClassifier}, float32 or quantized) starts with {@link ClassifierFile}'s magic; an MLP model is a safetensors file
 * (an 8-byte little-endian header length, then its JSON header, so byte 8 is '{'). Anything else is refused with a
 * message naming the file. Stateless.
 */
final class ClassifierKinds {
    private ClassifierKinds() {}

    /** The model in {@code path}, of whichever kind its first bytes say. */
    static Classifier load(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(9);
        }
        if (head.length == 0) {
            throw new IOException(path + ": the file is empty, not an embed4j classifier");
        }
        if (ClassifierFile.startsWithMagic(head)) {
            return TextClassifier.load(path);
        }
        if (head.length == 9 && head[8] == '{') {
            return MlpClassifier.load(path);
        }
        throw new IOException(path + ": not an embed4j classifier (neither a fastText-style model starting with \""
                + ClassifierFile.MAGIC_TEXT + "\" nor an MLP model in safetensors)");
    }
}
