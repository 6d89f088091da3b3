/** The consumer check as a named module: on the module path it reads embed4j-core as the module org.embed4j. */
module org.embed4j.consumer {
    requires org.embed4j;
}
