package org.embed4j.serve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.vectors.AnalogyMethod;
import org.embed4j.vectors.Hits;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * The word-vector endpoints, JSON in and JSON out:
 * <ul>
 *   <li>{@code POST /v1/embed} {@code {"texts": [...]}} (or {@code "text"}) → {@code {"dim": D,
 *       "embeddings": [[...]], "words": [n, ...]}}: the {@link TextEmbedder} mean per text, n = words averaged;</li>
 *   <li>{@code POST /v1/nearest} {@code {"words": [...], "k": 10}} (or {@code "word"}) → {@code {"results":
 *       [{"word": w, "neighbors": [{"word", "score"}]}]}}, the word itself left out: each word is one query of the
 *       server's {@link RowSearch} (exact and micro-batched with the queries of concurrent requests, the same answer
 *       as {@link WordVectors#nearest(List, int)}; or an HNSW graph);</li>
 *   <li>{@code POST /v1/analogy} {@code {"a","b","c"}} or {@code {"queries": [{"a","b","c"}]}}, optional
 *       {@code "k"} and {@code "method": "3cosadd"|"3cosmul"} → {@code {"results": [{"a","b","c","answers": [...]}]}}.</li>
 * </ul>
 * Words the vectors cannot represent (not in the vocabulary, no subwords) are a 400 "unknown_word" that
 * lists all of them, so the client can fix a batch in one round trip. Answers are written as UTF-8 JSON by
 * {@link JsonOut}, which refuses a non-finite number (a NaN row) rather than write invalid JSON. Thread-safe: the
 * vectors are immutable and no state is kept between calls.
 */
final class VectorsApi {
    /** The request fields of each endpoint; any other is skipped unparsed. */
    static final Set<String> EMBED_FIELDS = Set.of("texts", "text");

    static final Set<String> NEAREST_FIELDS = Set.of("words", "word", "k");
    static final Set<String> ANALOGY_FIELDS = Set.of("queries", "a", "b", "c", "k", "method");

    private final WordVectors vectors;
    private final TextEmbedder embedder;
    private final RowSearch nearest;
    private final ServeOptions options;

    VectorsApi(WordVectors vectors, RowSearch nearest, ServeOptions options) {
        this.vectors = vectors;
        this.embedder = new TextEmbedder(vectors);
        this.nearest = nearest;
        this.options = options;
    }

    byte[] embed(JsonRequest request) {
        List<String> texts = request.strings("texts", "text");
        int dim = vectors.dim();
        float[] rows = new float[texts.size() * dim];
        int[] counts = embedder.embedBatch(texts, rows);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                Set<String> unknown = embedder.unknownWords(texts.get(i));
                throw ApiException.badRequest(
                        "unknown_word",
                        "text " + i + " has no word with a vector"
                                + (texts.size() == 1 ? "" : " (texts are numbered from 0)")
                                + (unknown.isEmpty() ? " (it has no words at all)" : "; unknown: " + quoted(unknown)));
            }
        }
        JsonOut out = new JsonOut(64 + rows.length * 12);
        out.raw('{').name("dim").number(dim).raw(',').name("embeddings").raw('[');
        for (int i = 0; i < counts.length; i++) {
            out.raw(i == 0 ? "[" : ",[");
            for (int d = 0; d < dim; d++) {
                out.raw(d == 0 ? "" : ",").number(rows[i * dim + d], "an embedding component");
            }
            out.raw(']');
        }
        out.raw("],").name("words").raw('[');
        for (int i = 0; i < counts.length; i++) {
            out.raw(i == 0 ? "" : ",").number(counts[i]);
        }
        return out.raw("]}").toBytes();
    }

    byte[] nearest(JsonRequest request) {
        List<String> words = request.strings("words", "word");
        int k = request.k(10, options.maxK());
        requireKnown(words);
        int dim = vectors.dim();
        float[][] queries = new float[words.size()][dim];
        int[] rows = new int[words.size()];
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            float[] q = queries[i];
            rows[i] = call(() -> {
                vectors.vector(w, q, 0);
                return vectors.indexOf(w);
            });
            if (!hasDirection(q)) {
                throw ApiException.badRequest(
                        "bad_input", "word '" + w + "' has a zero or non-finite vector: no cosine neighbours");
            }
        }
        Hits[] hits = nearest.search(queries, k, rows);
        return nearestJson(words, hits, k);
    }

    private byte[] nearestJson(List<String> words, Hits[] hits, int k) {
        List<String> vocabulary = vectors.words();
        JsonOut out = new JsonOut(32 + words.size() * (32 + k * 48));
        out.raw('{').name("results").raw('[');
        for (int i = 0; i < words.size(); i++) {
            out.raw(i == 0 ? "{" : ",{")
                    .name("word")
                    .string(words.get(i))
                    .raw(',')
                    .name("neighbors")
                    .raw('[');
            Hits h = hits[i];
            for (int j = 0; j < h.found()[0]; j++) {
                out.raw(j == 0 ? "{" : ",{")
                        .name("word")
                        .string(vocabulary.get(h.rows()[j]))
                        .raw(',')
                        .name("score");
                // widened as WordVectors.nearest widens its float scores, so both print the same number
                out.number((double) h.scores()[j], "a similarity score").raw('}');
            }
            out.raw("]}");
        }
        return out.raw("]}").toBytes();
    }

    /** A vector with a cosine: not zero, every component finite. */
    private static boolean hasDirection(float[] v) {
        double n2 = 0;
        for (float x : v) {
            n2 += (double) x * x;
        }
        return n2 != 0 && Double.isFinite(n2);
    }

    byte[] analogy(JsonRequest request) {
        int k = request.k(10, options.maxK());
        AnalogyMethod method = method(request.optString("method", "3cosadd"));
        List<String[]> queries = new ArrayList<>();
        if (request.has("queries")) {
            if (request.has("a") || request.has("b") || request.has("c")) {
                throw ApiException.badRequest("bad_field", "send either \"queries\" or \"a\", \"b\", \"c\", not both");
            }
            for (JsonRequest q : request.objects("queries", "{\"a\",\"b\",\"c\"}")) {
                queries.add(abc(q));
            }
        } else {
            queries.add(abc(request));
        }
        List<String> all = new ArrayList<>();
        queries.forEach(q -> all.addAll(List.of(q)));
        requireKnown(all);
        JsonOut out = new JsonOut(64 + queries.size() * (64 + k * 48));
        out.raw('{').name("method").string(method == AnalogyMethod.COS_ADD ? "3cosadd" : "3cosmul");
        out.raw(',').name("results").raw('[');
        for (int i = 0; i < queries.size(); i++) {
            String[] q = queries.get(i);
            List<Neighbor> answers = call(() -> vectors.analogy(q[0], q[1], q[2], k, method));
            out.raw(i == 0 ? "{" : ",{")
                    .name("a")
                    .string(q[0])
                    .raw(',')
                    .name("b")
                    .string(q[1]);
            out.raw(',').name("c").string(q[2]).raw(',').name("answers");
            neighbors(out, answers);
            out.raw('}');
        }
        return out.raw("]}").toBytes();
    }

    private static String[] abc(JsonRequest o) {
        return new String[] {o.string("a"), o.string("b"), o.string("c")};
    }

    private static AnalogyMethod method(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("_", "")) {
            case "3cosadd", "cosadd" -> AnalogyMethod.COS_ADD;
            case "3cosmul", "cosmul" -> AnalogyMethod.COS_MUL;
            default ->
                throw ApiException.badRequest(
                        "bad_field", "\"method\" must be \"3cosadd\" or \"3cosmul\", got \"" + name + "\"");
        };
    }

    /** Every word must have a vector: in the vocabulary, or subwords available. */
    private void requireKnown(List<String> words) {
        if (vectors.hasSubwords()) {
            return;
        }
        Set<String> unknown = new LinkedHashSet<>();
        for (String w : words) {
            if (vectors.indexOf(w) < 0) {
                unknown.add(w);
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest(
                    "unknown_word", "not in the vocabulary of " + vectors.size() + " words: " + quoted(unknown));
        }
    }

    private static String quoted(Set<String> words) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (String w : words) {
            if (shown == 20) {
                b.append(", ... (").append(words.size() - shown).append(" more)");
                break;
            }
            b.append(shown++ == 0 ? "" : ", ").append('"').append(w).append('"');
        }
        return b.toString();
    }

    private static void neighbors(JsonOut out, List<Neighbor> list) {
        out.raw('[');
        for (int i = 0; i < list.size(); i++) {
            Neighbor n = list.get(i);
            out.raw(i == 0 ? "{" : ",{").name("word").string(n.word()).raw(',').name("score");
            out.number(n.score(), "a similarity score").raw('}');
        }
        out.raw(']');
    }

    /** The vectors' own argument errors (a zero vector, say) are the client's: 400, not 500. */
    private static <T> T call(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (NoSuchElementException e) {
            throw ApiException.badRequest("unknown_word", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad_input", e.getMessage());
        }
    }
}
