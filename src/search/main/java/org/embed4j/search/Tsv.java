package org.embed4j.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.embed4j.io.TextLines;

/**
 * Reads the entries of a text index from a TSV file: one entry per line, {@code id<TAB>text} or
 * {@code id<TAB>text<TAB>label}; blank lines are skipped; a line with another number of fields, an empty id or text,
 * or a repeated id is an {@link IOException} naming the line. Stateless; thread-safe.
 */
public final class Tsv {
    private Tsv() {}

    public static List<TextIndex.Entry> read(Path file) throws IOException {
        List<TextIndex.Entry> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (TextLines r = TextLines.open(file)) {
            String line;
            while ((line = r.next()) != null) {
                long no = r.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length < 2 || f.length > 3 || f[0].isBlank() || f[1].isBlank()) {
                    throw new IOException(file + " line " + no + ": expected id<TAB>text[<TAB>label] with a non-empty"
                            + " id and text, got " + f.length + " field(s)");
                }
                if (!ids.add(f[0])) {
                    throw new IOException(file + " line " + no + ": id \"" + f[0] + "\" appears twice");
                }
                out.add(new TextIndex.Entry(f[0], f[1], f.length == 3 && !f[2].isEmpty() ? f[2] : null));
            }
        }
        return out;
    }
}
