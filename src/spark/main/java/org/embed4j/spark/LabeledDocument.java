package org.embed4j.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/** One training example of {@link SparkTextClassifier}: its labels (one or more) and its text. Serializable. */
public record LabeledDocument(List<String> labels, String text) implements Serializable {
    public LabeledDocument {
        Objects.requireNonNull(text, "text");
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one label: \""
                    + (text.length() <= 60 ? text : text.substring(0, 57) + "...") + "\"");
        }
    }
}
