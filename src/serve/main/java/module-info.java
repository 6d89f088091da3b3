/** The embed4j HTTP service: word vectors, text indexes and classifiers served over JSON, on Jetty. */
module org.embed4j.serve {
    requires org.embed4j;
    requires transitive org.embed4j.search;
    requires com.google.gson;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http2.server;
    requires org.eclipse.jetty.alpn.server;

    exports org.embed4j.serve;
}
