package org.embed4j.classify;

/** Access to a classifier matrix's weights for tests in this package. */
final class Matrices {
    private Matrices() {}

    /** The weights of a float32 model's matrix (training's form). */
    static float[] floats(ClassifierMatrix m) {
        return ((ClassifierMatrix.Floats) m).data();
    }
}
