/** The embed4j HTTP service: word vectors and classifiers served over JSON. */
module org.embed4j.serve {
    requires transitive org.embed4j; // its public API takes and returns core types (WordVectors, Classifier)
    requires com.google.gson;

    exports org.embed4j.serve;
}
