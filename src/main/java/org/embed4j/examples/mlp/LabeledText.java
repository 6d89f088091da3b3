package org.embed4j.examples.mlp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One labeled text, and the reader of the TREC question-classification format (Li &amp; Roth 2002):
 * {@code COARSE:fine question words ...} per line; the label is the coarse class (ABBR, DESC, ENTY, HUM, LOC,
 * NUM). Files are UTF-8, or ISO-8859-1 when they are not valid UTF-8 (the official train_5500 file is Latin-1).
 * Immutable and thread-safe.
 */
public record LabeledText(String label, String text) {

    /** Reads a TREC-format file; a line without a {@code LABEL:fine} prefix is an error naming file and line. */
    public static List<LabeledText> readTrec(Path path) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : decode(Files.readAllBytes(path)).split("\r?\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int space = line.indexOf(' ');
            int colon = line.indexOf(':');
            if (space <= 0 || colon <= 0 || colon > space) {
                throw new IOException(path + ":" + lineNo + ": expected 'COARSE:fine question', got '"
                        + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
            }
            out.add(new LabeledText(line.substring(0, colon), line.substring(space + 1).trim()));
        }
        if (out.isEmpty()) {
            throw new IOException(path + ": no labeled lines");
        }
        return out;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
