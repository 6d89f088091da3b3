package org.embed4j.cli.data;

import java.util.List;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;

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

    /** The official split, or the seeded 90/10 hold-out when the set has none. */
    public Splits.Fold trainTest(long seed) {
        return officialSplit ? new Splits.Fold(train, test) : Splits.holdout90(all(), seed);
    }
}
