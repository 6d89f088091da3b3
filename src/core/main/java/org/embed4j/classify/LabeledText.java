package org.embed4j.classify;

import java.util.List;
import java.util.Objects;
import org.embed4j.io.Snippet;

/** One example: its text and its labels (one for single-label sets, several for fastText multi-label files). */
public record LabeledText(List<String> labels, String text) {
    public LabeledText {
        Objects.requireNonNull(text, "text");
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one label: \"" + abbreviate(text) + "\"");
        }
    }

    /** A single-label example. */
    public static LabeledText of(String label, String text) {
        return new LabeledText(List.of(label), text);
    }

    /** The first (for single-label sets: the only) label. */
    public String label() {
        return labels.get(0);
    }

    static String abbreviate(String s) {
        return Snippet.of(s);
    }
}
