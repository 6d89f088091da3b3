package org.embed4j.classify.data;

import java.util.List;

/**
 * A labelled set: its training and test examples. Sets without an official split have an empty
 * {@code test} list and {@code officialSplit == false}; use {@link Splits} to cut one.
 */
public record LabeledData(String name, List<LabeledText> train, List<LabeledText> test, boolean officialSplit) {
    public LabeledData {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /** All examples, training first. */
    public List<LabeledText> all() {
        var out = new java.util.ArrayList<LabeledText>(train.size() + test.size());
        out.addAll(train);
        out.addAll(test);
        return out;
    }
}
