package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fastText's format written and read back; what cannot be a fastText line is normalised or left out. */
class TextFormatsTest {

    @Test
    void writtenFastTextReadsBack(@TempDir Path dir) throws IOException {
        List<LabeledText> examples = List.of(
                new LabeledText(List.of("pos"), "a good film"),
                new LabeledText(List.of("neg", "two words"), "line one\nline  two\tend"),
                new LabeledText(List.of("pos"), "   "));
        Path file = dir.resolve("split/train.txt");
        TextFormats.writeFastText(file, examples);
        assertEquals(
                List.of("__label__pos a good film", "__label__neg __label__two_words line one line two end"),
                Files.readAllLines(file));
        assertEquals(
                List.of(
                        new LabeledText(List.of("pos"), "a good film"),
                        new LabeledText(List.of("neg", "two_words"), "line one line two end")),
                TextFormats.readFastText(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }
}
