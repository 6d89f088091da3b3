package org.embed4j.backend;

import java.util.stream.Stream;
import org.embed4j.tensor.Tensor;

/**
 * Test plumbing shared by the backend tests: every available backend as a JUnit {@code @MethodSource}
 * (so a CUDA backend is picked up automatically where it loads), the checked Java reference, and helpers that
 * move test data to and from a backend's device.
 *
 * <p>Use: {@code @ParameterizedTest @MethodSource("org.embed4j.backend.BackendSource#backends")}.
 */
final class BackendSource {

    private BackendSource() {}

    /** Every backend {@link Backends#available()} reports (Java, and native CPU / CUDA where they run). */
    static Stream<Backend> backends() {
        return Backends.available().stream();
    }

    /** The Java reference behind the same argument checks the factory adds. */
    static Backend reference() {
        return new CheckedBackend(new JavaBackend());
    }

    static Tensor put(Backend b, float[] values, long... shape) {
        try (Tensor host = Tensor.of(values, shape)) {
            return b.fromHost(host);
        }
    }

    static Tensor put(Backend b, long[] values, long... shape) {
        try (Tensor host = Tensor.of(values, shape)) {
            return b.fromHost(host);
        }
    }

    static Tensor put(Backend b, int[] values, long... shape) {
        try (Tensor host = Tensor.of(values, shape)) {
            return b.fromHost(host);
        }
    }

    static float[] floats(Backend b, Tensor t) {
        try (Tensor host = b.toHost(t)) {
            return host.toFloatArray();
        }
    }

    static long[] longs(Backend b, Tensor t) {
        try (Tensor host = b.toHost(t)) {
            return host.toLongArray();
        }
    }
}
