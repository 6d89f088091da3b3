/**
 * embed4j: PyTorch's {@code nn.Embedding} for the JVM, with native kernels through the FFM API, and what people build
 * with it: word vectors and text classifiers.
 *
 * <p>The exported packages are the API (docs/library-api.md lists them, says which objects are thread-safe and which
 * must be closed). The FFM bindings ({@code internal.ffm}), model lifetimes ({@code internal.scope}), the row
 * quantizer ({@code internal.quant}), the hashes ({@code internal.hash}) and the file-format helpers ({@code io}) are not exported. Callers on the module
 * path start the JVM with {@code --enable-native-access=org.embed4j}.
 */
module org.embed4j {
    requires org.bytedeco.javacpp;

    exports org.embed4j.tensor;
    exports org.embed4j.backend;
    exports org.embed4j.nn;
    exports org.embed4j.optim;
    exports org.embed4j.text;
    exports org.embed4j.vectors;
    exports org.embed4j.word2vec;
    exports org.embed4j.docvec;
    exports org.embed4j.glove;
    exports org.embed4j.train;
    exports org.embed4j.classify;
    exports org.embed4j.classify.mlp;
    exports org.embed4j.deploy;

    // file-format helpers (atomic writes, sections, safetensors, JSON) for embed4j's own modules only
    exports org.embed4j.io to
            org.embed4j.cli,
            org.embed4j.search;
}
