/**
 * embed4j: PyTorch's nn.Embedding for the JVM, with native kernels through the FFM API.
 * Only the public API packages are exported; backends' implementations and the FFM bindings stay inside.
 * Callers on the module path start the JVM with --enable-native-access=org.embed4j.
 */
module org.embed4j {
    requires info.picocli;
    requires org.bytedeco.javacpp;
    requires com.google.gson;
    requires me.tongfei.progressbar;
    requires java.desktop;

    exports org.embed4j.tensor;
    exports org.embed4j.backend;
    exports org.embed4j.io;
    exports org.embed4j.nn;
    exports org.embed4j.optim;
    exports org.embed4j.vectors;
    exports org.embed4j.text;
    exports org.embed4j.word2vec;
    exports org.embed4j.train;
    exports org.embed4j.classify;
    exports org.embed4j.classify.data;
    exports org.embed4j.serve;
    exports org.embed4j.deploy;

    opens org.embed4j.cli to info.picocli;
}
