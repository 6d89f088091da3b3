package org.embed4j.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.vectors.AnalogyMethod;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * The word-vector endpoints, JSON in and JSON out:
 * <ul>
 *   <li>{@code POST /v1/embed} {@code {"texts": [...]}} (or {@code "text"}) → {@code {"dim": D,
 *       "embeddings": [[...]], "words": [n, ...]}}: the {@link TextEmbedder} mean per text, n = words averaged;</li>
 *   <li>{@code POST /v1/nearest} {@code {"words": [...], "k": 10}} (or {@code "word"}) → {@code {"results":
 *       [{"word": w, "neighbors": [{"word", "score"}]}]}}: one top-k kernel call for the whole batch;</li>
 *   <li>{@code POST /v1/analogy} {@code {"a","b","c"}} or {@code {"queries": [{"a","b","c"}]}}, optional
 *       {@code "k"} and {@code "method": "3cosadd"|"3cosmul"} → {@code {"results": [{"a","b","c","answers": [...]}]}}.</li>
 * </ul>
 * Words the vectors cannot represent (not in the vocabulary, no subwords) are a 400 "unknown_word" that
 * lists all of them, so the client can fix a batch in one round trip. Thread-safe: the vectors are
 * immutable and no state is kept between calls.
 */
final class VectorsApi {
    private final WordVectors vectors;
    private final TextEmbedder embedder;
    private final ServeOptions options;

    VectorsApi(WordVectors vectors, ServeOptions options) {
        this.vectors = vectors;
        this.embedder = new TextEmbedder(vectors);
        this.options = options;
    }

    JsonObject embed(JsonObject request) {
        List<String> texts = JsonBodies.strings(request, "texts", "text", options.maxBatch());
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
        JsonArray embeddings = new JsonArray(texts.size());
        JsonArray words = new JsonArray(texts.size());
        for (int i = 0; i < counts.length; i++) {
            JsonArray row = new JsonArray(dim);
            for (int d = 0; d < dim; d++) {
                row.add(rows[i * dim + d]);
            }
            embeddings.add(row);
            words.add(counts[i]);
        }
        JsonObject out = new JsonObject();
        out.addProperty("dim", dim);
        out.add("embeddings", embeddings);
        out.add("words", words);
        return out;
    }

    JsonObject nearest(JsonObject request) {
        List<String> words = JsonBodies.strings(request, "words", "word", options.maxBatch());
        int k = JsonBodies.k(request, 10, options.maxK());
        requireKnown(words);
        List<List<Neighbor>> all = call(() -> vectors.nearest(words, k));
        JsonArray results = new JsonArray(words.size());
        for (int i = 0; i < words.size(); i++) {
            JsonObject r = new JsonObject();
            r.addProperty("word", words.get(i));
            r.add("neighbors", neighbors(all.get(i)));
            results.add(r);
        }
        JsonObject out = new JsonObject();
        out.add("results", results);
        return out;
    }

    JsonObject analogy(JsonObject request) {
        int k = JsonBodies.k(request, 10, options.maxK());
        AnalogyMethod method = method(JsonBodies.optString(request, "method", "3cosadd"));
        List<String[]> queries = new ArrayList<>();
        JsonElement many = request.get("queries");
        if (many != null) {
            if (request.has("a") || request.has("b") || request.has("c")) {
                throw ApiException.badRequest("bad_field", "send either \"queries\" or \"a\", \"b\", \"c\", not both");
            }
            JsonArray a = JsonBodies.array(many, "queries", options.maxBatch());
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isJsonObject()) {
                    throw ApiException.badRequest(
                            "bad_field", "\"queries\"[" + i + "] must be an object {\"a\",\"b\",\"c\"}");
                }
                queries.add(abc(a.get(i).getAsJsonObject()));
            }
        } else {
            queries.add(abc(request));
        }
        List<String> all = new ArrayList<>();
        queries.forEach(q -> all.addAll(List.of(q)));
        requireKnown(all);
        JsonArray results = new JsonArray(queries.size());
        for (String[] q : queries) {
            List<Neighbor> answers = call(() -> vectors.analogy(q[0], q[1], q[2], k, method));
            JsonObject r = new JsonObject();
            r.addProperty("a", q[0]);
            r.addProperty("b", q[1]);
            r.addProperty("c", q[2]);
            r.add("answers", neighbors(answers));
            results.add(r);
        }
        JsonObject out = new JsonObject();
        out.addProperty("method", method == AnalogyMethod.COS_ADD ? "3cosadd" : "3cosmul");
        out.add("results", results);
        return out;
    }

    private static String[] abc(JsonObject o) {
        return new String[] {JsonBodies.string(o, "a"), JsonBodies.string(o, "b"), JsonBodies.string(o, "c")};
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

    private static JsonArray neighbors(List<Neighbor> list) {
        JsonArray a = new JsonArray(list.size());
        for (Neighbor n : list) {
            JsonObject o = new JsonObject();
            o.addProperty("word", n.word());
            o.addProperty("score", n.score());
            a.add(o);
        }
        return a;
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
