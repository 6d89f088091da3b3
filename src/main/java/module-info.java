/**
 * embed4j: PyTorch's nn.Embedding for the JVM, with native kernels through the FFM API.
 * Only the public API packages are exported; backends' implementations and the FFM bindings stay inside.
 * Callers on the module path start the JVM with --enable-native-access=org.embed4j.
 */
module org.embed4j {
    requires info.picocli;
    requires org.bytedeco.javacpp;

    exports org.embed4j.tensor;
    exports org.embed4j.backend;

    opens org.embed4j.cli to info.picocli;
}
