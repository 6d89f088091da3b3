/** The embed4j HTTP service: word vectors, text indexes and classifiers served over JSON, on Jetty. */
module org.embed4j.serve {
    requires transitive org.embed4j; // its public API takes and returns core types (WordVectors, Classifier)
    requires transitive org.embed4j.search;
    requires com.google.gson;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http2.server;
    requires org.eclipse.jetty.alpn.server;

    exports org.embed4j.serve;
}
