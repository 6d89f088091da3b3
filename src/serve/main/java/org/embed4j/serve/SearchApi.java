package org.embed4j.serve;

import java.util.List;
import java.util.Set;
import org.embed4j.search.TextIndex;
import org.embed4j.vectors.Hits;

/**
 * {@code POST /v1/search} {@code {"texts": [...], "k": 10}} (or {@code "text"}) → {@code {"results": [{"text": q,
 * "matches": [{"id", "text", "label", "score"}, ...]}, ...]}}: for each text the k stored entries of the
 * {@link TextIndex} whose sentence vectors have the highest cosine with the text's, best first ({@code label} null
 * for an entry without one). Each text is encoded as the index encodes its entries and is one query of the server's
 * {@link RowSearch}: exact and micro-batched with the queries of concurrent requests (the same answer as
 * {@link TextIndex#search(List, int)} without a graph), or the index's HNSW graph.
 *
 * <p>A text none of whose words has a vector is a 400 {@code no_known_words} naming it; the other mistakes (JSON,
 * fields, k, batch size) are {@link JsonRequest}'s. Thread-safe: the index is immutable.
 */
final class SearchApi {
    /** The request fields the endpoint reads; any other is skipped unparsed. */
    static final Set<String> FIELDS = Set.of("texts", "text", "k");

    private final TextIndex index;
    private final RowSearch search;
    private final ServeOptions options;

    SearchApi(TextIndex index, RowSearch search, ServeOptions options) {
        this.index = index;
        this.search = search;
        this.options = options;
    }

    byte[] search(JsonRequest request) {
        List<String> texts = request.strings("texts", "text");
        int k = request.k(10, options.maxK());
        float[][] queries = new float[texts.size()][];
        for (int i = 0; i < queries.length; i++) {
            try {
                queries[i] = index.encode(texts.get(i));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(
                        "no_known_words",
                        (texts.size() == 1 ? "the text" : "text " + i + " (texts are numbered from 0)")
                                + " has no word with a vector: \"" + ApiHandler.abbreviate(texts.get(i)) + "\"");
            }
        }
        return json(texts, search.search(queries, k, null), k);
    }

    private byte[] json(List<String> texts, Hits[] hits, int k) {
        JsonOut out = new JsonOut(32 + texts.size() * (64 + k * 128));
        out.raw("{\"results\":[");
        for (int i = 0; i < texts.size(); i++) {
            out.raw(i == 0 ? "{" : ",{").name("text").string(texts.get(i)).raw(",\"matches\":[");
            Hits h = hits[i];
            for (int j = 0; j < h.found()[0]; j++) {
                TextIndex.Entry e = index.entry(h.rows()[j]);
                out.raw(j == 0 ? "{" : ",{")
                        .name("id")
                        .string(e.id())
                        .raw(',')
                        .name("text")
                        .string(e.text());
                out.raw(',').name("label");
                if (e.label() == null) {
                    out.raw("null");
                } else {
                    out.string(e.label());
                }
                out.raw(',')
                        .name("score")
                        .number(h.scores()[j], "a similarity score")
                        .raw('}');
            }
            out.raw("]}");
        }
        return out.raw("]}").toBytes();
    }
}
