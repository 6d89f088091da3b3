package org.embed4j.classify;

import java.util.Locale;

/**
 * The output layer's loss, with fastText's names: {@code softmax} (one label per example; a multi-label example
 * contributes one of its labels, drawn at random, per update, as fastText does) and {@code ova} (one-vs-all: an
 * independent logistic regression per label, so an example may carry several labels and each label's probability
 * is a sigmoid of its own score).
 */
public enum ClassifierLoss {
    SOFTMAX, OVA;

    /** fastText's spelling ("softmax", "ova"); anything else is an error that lists the choices. */
    public static ClassifierLoss parse(String name) {
        for (ClassifierLoss l : values()) {
            if (l.name().equalsIgnoreCase(name) || (l == OVA && "one-vs-all".equalsIgnoreCase(name))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss \"" + name + "\"; use softmax or ova");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
