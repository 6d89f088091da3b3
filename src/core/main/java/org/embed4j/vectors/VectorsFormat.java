package org.embed4j.vectors;

import java.util.Locale;

/**
 * The file formats {@link VectorsIO} reads and writes.
 *
 * <ul>
 *   <li>{@link #WORD2VEC_TEXT}: header {@code "V D\n"}, then {@code word v1 ... vD} per line (word2vec C -binary 0, gensim).</li>
 *   <li>{@link #WORD2VEC_BINARY}: header {@code "V D\n"}, then {@code word<space>} + D little-endian float32 + {@code \n}
 *       per word (word2vec C -binary 1, gensim binary=True; the newline is optional when reading).</li>
 *   <li>{@link #FASTTEXT_VEC}: fastText's .vec, the word2vec text format (trailing spaces tolerated).</li>
 *   <li>{@link #GLOVE}: GloVe text, {@code word v1 ... vD} per line, no header.</li>
 *   <li>{@link #SAFETENSORS}: tensor "weight" (V,D) F32, loadable by PyTorch's {@code nn.Embedding.from_pretrained},
 *       plus {@code <file>.vocab.txt} with one word per line in row order.</li>
 *   <li>{@link #NATIVE}: embed4j's memory-mapped format (.e4jv), see {@code NativeFormat}.</li>
 * </ul>
 */
public enum VectorsFormat {
    WORD2VEC_TEXT,
    WORD2VEC_BINARY,
    FASTTEXT_VEC,
    GLOVE,
    SAFETENSORS,
    NATIVE;

    /**
     * The format named on a command line: the enum name in any case, or one of
     * {@code text, txt, bin, binary, vec, glove, safetensors, native, e4jv}.
     */
    public static VectorsFormat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "word2vec_text", "text", "txt", "word2vec" -> WORD2VEC_TEXT;
            case "word2vec_binary", "bin", "binary" -> WORD2VEC_BINARY;
            case "fasttext_vec", "vec", "fasttext" -> FASTTEXT_VEC;
            case "glove", "glove_txt" -> GLOVE;
            case "safetensors", "st" -> SAFETENSORS;
            case "native", "e4jv" -> NATIVE;
            default ->
                throw new IllegalArgumentException(
                        "unknown vectors format '" + name + "': use one of text, bin, vec, glove, safetensors, e4jv");
        };
    }
}
