package org.embed4j.classify.mlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A bad hyper-parameter is refused with a message that names it and its value. */
class MlpConfigTest {

    @Test
    void badValuesAreNamed() {
        MlpConfig d = MlpConfig.defaults();
        assertEquals(
                "hidden must be >= 1, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        0,
                                        d.lr(),
                                        d.seed(),
                                        d.dropout(),
                                        d.minCount(),
                                        d.wordNgrams(),
                                        d.devFraction(),
                                        d.patience()))
                        .getMessage());
        assertEquals(
                "wordNgrams must be in [1, 5], got 6",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        d.hidden(),
                                        d.lr(),
                                        d.seed(),
                                        d.dropout(),
                                        d.minCount(),
                                        6,
                                        d.devFraction(),
                                        d.patience()))
                        .getMessage());
        assertEquals(
                "wordNgrams must be in [1, 5], got -2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        d.hidden(),
                                        d.lr(),
                                        d.seed(),
                                        d.dropout(),
                                        d.minCount(),
                                        -2,
                                        d.devFraction(),
                                        d.patience()))
                        .getMessage());
        assertEquals(
                "dropout must be in [0, 1), got 1.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        d.hidden(),
                                        d.lr(),
                                        d.seed(),
                                        1f,
                                        d.minCount(),
                                        d.wordNgrams(),
                                        d.devFraction(),
                                        d.patience()))
                        .getMessage());
        assertEquals(
                "devFraction must be in [0, 1), got 1.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        d.hidden(),
                                        d.lr(),
                                        d.seed(),
                                        d.dropout(),
                                        d.minCount(),
                                        d.wordNgrams(),
                                        1f,
                                        d.patience()))
                        .getMessage());
        assertEquals(
                "patience must be >= 1, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new MlpConfig(
                                        d.epochs(),
                                        d.batchSize(),
                                        d.dim(),
                                        d.hidden(),
                                        d.lr(),
                                        d.seed(),
                                        d.dropout(),
                                        d.minCount(),
                                        d.wordNgrams(),
                                        d.devFraction(),
                                        0))
                        .getMessage());
    }
}
