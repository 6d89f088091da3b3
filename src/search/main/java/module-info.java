/**
 * embed4j search: an HNSW index (Lucene) over the rows of word vectors or sentence vectors, stored beside the model and
 * memory-mapped, and {@link org.embed4j.search.TextIndex}, which matches a question to the best stored answer.
 */
module org.embed4j.search {
    requires transitive org.embed4j;
    requires org.apache.lucene.core;

    exports org.embed4j.search;
}
