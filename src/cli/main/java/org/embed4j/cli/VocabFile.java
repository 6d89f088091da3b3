package org.embed4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.embed4j.io.AtomicFiles;
import org.embed4j.text.Vocabulary;

/**
 * {@code <prefix>.vocab.txt}, written beside trained vectors: one "word count" line per vocabulary word, most
 * frequent first (the format of GloVe's vocab_count and word2vec's -save-vocab), so that tools that need the
 * counts ({@code export --projector}'s metadata) have them. Stateless.
 */
final class VocabFile {
    private VocabFile() {}

    /** The vocabulary file that goes with {@code prefix}. */
    static Path forPrefix(String prefix) {
        return Path.of(prefix + ".vocab.txt");
    }

    /** The vocabulary file that goes with a model file: its name without the extension, plus ".vocab.txt". */
    static Path forModel(Path model) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".vocab.txt");
    }

    static void write(Vocabulary vocab, Path path) throws IOException {
        AtomicFiles.write(path, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (int i = 0; i < vocab.size(); i++) {
                w.write(vocab.word(i));
                w.write(' ');
                w.write(Long.toString(vocab.count(i)));
                w.write('\n');
            }
            w.flush();
        });
    }

    /** word → count; a line that is not "word count" is an error naming the file and line. */
    static Map<String, Long> read(Path path) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                int sp = line.lastIndexOf(' ');
                try {
                    if (sp <= 0) {
                        throw new NumberFormatException("no count");
                    }
                    counts.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
                } catch (NumberFormatException e) {
                    throw new IOException(path + ":" + no + ": expected \"word count\", got \"" + line + "\"");
                }
            }
        }
        return counts;
    }
}
