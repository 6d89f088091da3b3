/** The embed4j HTTP service: word vectors and classifiers served over JSON. */
module org.embed4j.serve {
    requires org.embed4j;
    requires com.google.gson;

    exports org.embed4j.serve;
}
