package org.embed4j.classify;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.TextLines;

/**
 * The two formats users bring their own data in:
 * fastText's ({@code __label__a __label__b text ...}: leading {@code __label__} tokens are labels) and
 * a generic TSV ({@code label<TAB>text}). Files are UTF-8 ({@link TextLines}: invalid bytes are an error naming the
 * line and byte offset). Errors name the file and line. fastText's format is also written
 * ({@link #writeFastText}), so that a split can be handed to fastText itself.
 */
public final class TextFormats {
    /** fastText's label prefix. */
    public static final String LABEL_PREFIX = "__label__";

    private TextFormats() {}

    /** Reads a fastText-format file; blank lines are skipped; a line without a label is an error. */
    public static List<LabeledText> readFastText(Path path) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (TextLines r = TextLines.open(path)) {
            String line;
            while ((line = r.next()) != null) {
                int lineNo = (int) r.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                out.add(parseFastTextLine(line, path, lineNo));
            }
        }
        requireNonEmpty(out, path);
        return out;
    }

    /** One fastText line: labels first, then the text. */
    public static LabeledText parseFastTextLine(String line, Path path, int lineNo) {
        String[] tokens = line.trim().split("\\s+");
        List<String> labels = new ArrayList<>();
        int i = 0;
        while (i < tokens.length && tokens[i].startsWith(LABEL_PREFIX)) {
            String label = tokens[i].substring(LABEL_PREFIX.length());
            if (label.isEmpty()) {
                throw new IllegalArgumentException(path + ":" + lineNo + ": empty label \"" + tokens[i] + "\"");
            }
            labels.add(label);
            i++;
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(path + ":" + lineNo + ": no " + LABEL_PREFIX
                    + " label at the start of the line: \"" + LabeledText.abbreviate(line) + "\"");
        }
        if (i == tokens.length) {
            throw new IllegalArgumentException(
                    path + ":" + lineNo + ": no text after the label(s): \"" + LabeledText.abbreviate(line) + "\"");
        }
        return new LabeledText(labels, String.join(" ", java.util.Arrays.copyOfRange(tokens, i, tokens.length)));
    }

    /** Reads {@code label<TAB>text} lines; blank lines are skipped; a line without a tab is an error. */
    public static List<LabeledText> readTsv(Path path) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (TextLines r = TextLines.open(path)) {
            String line;
            while ((line = r.next()) != null) {
                int lineNo = (int) r.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab <= 0) {
                    throw new IllegalArgumentException(path + ":" + lineNo + ": expected label<TAB>text, got \""
                            + LabeledText.abbreviate(line) + "\"");
                }
                if (line.substring(tab + 1).isBlank()) {
                    throw new IllegalArgumentException(path + ":" + lineNo + ": no text after the label: \""
                            + LabeledText.abbreviate(line) + "\"");
                }
                out.add(LabeledText.of(line.substring(0, tab).trim(), line.substring(tab + 1)));
            }
        }
        requireNonEmpty(out, path);
        return out;
    }

    /** Format by content: fastText when the first non-blank line starts with __label__, else TSV. */
    public static List<LabeledText> read(Path path) throws IOException {
        try (TextLines r = TextLines.open(path)) {
            String line;
            while ((line = r.next()) != null) {
                if (!line.isBlank()) {
                    return line.trim().startsWith(LABEL_PREFIX) ? readFastText(path) : readTsv(path);
                }
            }
        }
        throw new IllegalArgumentException(path + ": the file has no examples");
    }

    /**
     * Writes {@code examples} in fastText's format, one line each, atomically ({@link AtomicFiles}): the labels with
     * their prefix (whitespace inside a label becomes '_'), then the text on one line (each run of whitespace one
     * space). An example whose text is blank is left out: fastText reads a label without text as no example.
     */
    public static void writeFastText(Path path, List<LabeledText> examples) throws IOException {
        AtomicFiles.write(path, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (LabeledText e : examples) {
                if (e.text().isBlank()) {
                    continue;
                }
                for (String l : e.labels()) {
                    w.write(LABEL_PREFIX + l.replaceAll("\\s+", "_") + " ");
                }
                w.write(e.text().replaceAll("\\s+", " ").trim());
                w.write('\n');
            }
            w.flush();
        });
    }

    private static void requireNonEmpty(List<LabeledText> out, Path path) {
        if (out.isEmpty()) {
            throw new IllegalArgumentException(path + ": the file has no examples");
        }
    }
}
