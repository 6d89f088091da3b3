package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.WordVectors;

/**
 * The row searches of the service, chosen once at start and logged:
 * <ul>
 *   <li>/v1/nearest over the word vectors: the HNSW graph {@code <vectors file>.hnsw} when it exists (built by
 *       {@code embed4j index}) and {@link ServeOptions#exact()} is off; otherwise exact search, micro-batched over
 *       {@link ServeOptions#batchWindow()}, with the int8 scan unless {@link ServeOptions#int8()} is off;</li>
 *   <li>/v1/search over a text index: its own graph when it was opened with one, else exact search batched the same
 *       way over its sentence vectors.</li>
 * </ul>
 * Owns the batchers and the graph it opened, and closes them; the models themselves belong to the caller. Also
 * renders the search metrics. Thread-safe after start.
 */
final class Searches implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Searches.class.getName());
    /** Candidates a graph search explores (raised to k when smaller), as in {@link TextIndex}. */
    static final int EF = 100;

    private final RowSearch nearest; // null without vectors
    private final RowSearch text; // null without a text index
    private final HnswIndex graph; // opened here, or null
    private final String vectorsFault; // why the vectors could not be quantized (a non-finite value), or null

    private Searches(RowSearch nearest, RowSearch text, HnswIndex graph, String vectorsFault) {
        this.nearest = nearest;
        this.text = text;
        this.graph = graph;
        this.vectorsFault = vectorsFault;
    }

    /** Chooses and starts the searches; {@code vectors} and {@code index} may be null. */
    static Searches open(WordVectors vectors, Path vectorsFile, TextIndex index, ServeOptions options)
            throws IOException {
        HnswIndex graph = null;
        RowSearch nearest = null;
        RowSearch text = null;
        String fault = null;
        try {
            if (vectors != null) {
                Path dir = vectorsFile == null ? null : HnswIndex.besideModel(vectorsFile);
                if (dir != null && !options.exact() && Files.isDirectory(dir)) {
                    graph = openGraph(dir, vectors);
                    HnswIndex g = graph;
                    nearest = RowSearch.direct("vectors", "hnsw", (q, k) -> g.search(q, k, EF));
                    LOG.log(
                            Level.INFO,
                            "/v1/nearest: HNSW graph " + dir + " (approximate, ef " + EF
                                    + "; --exact for exact search)");
                } else {
                    ExactSearch exact = ExactSearch.of(vectors);
                    if (options.int8()) {
                        try {
                            exact = exact.withInt8();
                        } catch (IllegalArgumentException e) {
                            // a NaN or infinite weight: the model is unhealthy, its requests get 503 anyway
                            fault = "quantizing its rows found " + e.getMessage();
                        }
                    }
                    nearest = RowSearch.batched("vectors", exact, options.batchWindow());
                    LOG.log(
                            Level.INFO,
                            "/v1/nearest: " + exactLine(options.withInt8(exact.isInt8()))
                                    + (dir != null && Files.isDirectory(dir)
                                            ? " (" + dir + " not used: --exact)"
                                            : ""));
                }
            }
            if (index != null) {
                if (index.usesGraph()) {
                    text = RowSearch.direct("text_index", "hnsw", index::searchRows);
                    LOG.log(Level.INFO, "/v1/search: " + index + " through its HNSW graph (approximate)");
                } else {
                    text = RowSearch.batched("text_index", index.exactSearch(options.int8()), options.batchWindow());
                    LOG.log(Level.INFO, "/v1/search: " + index + ", " + exactLine(options));
                }
            }
            return new Searches(nearest, text, graph, fault);
        } catch (IOException | RuntimeException e) {
            closeAll(nearest, text, graph);
            throw e;
        }
    }

    private static HnswIndex openGraph(Path dir, WordVectors vectors) throws IOException {
        HnswIndex g = HnswIndex.open(dir);
        if (g.size() != vectors.size() || g.dim() != vectors.dim()) {
            String what = g.size() + " rows of dim " + g.dim();
            g.close();
            throw new IOException(dir + " indexes " + what + " but the vectors have " + vectors.size() + " of dim "
                    + vectors.dim() + ": rebuild it with ./embed4j index, or serve with --exact");
        }
        return g;
    }

    private static String exactLine(ServeOptions options) {
        return "exact search ("
                + (options.int8() ? "int8 scan with float rescoring" : "float scan")
                + "), concurrent queries batched over "
                + options.batchWindow().toNanos() / 1000 + " µs";
    }

    /** Why the vectors' rows could not be quantized for the int8 scan (a non-finite value), or null. */
    String vectorsFault() {
        return vectorsFault;
    }

    /** The search of /v1/nearest, or null without vectors. */
    RowSearch nearest() {
        return nearest;
    }

    /** The search of /v1/search, or null without a text index. */
    RowSearch text() {
        return text;
    }

    /**
     * {@code embed4j_search_queries_total{index,method}}, {@code embed4j_search_batches_total{index}} (passes of the
     * batched exact searches), {@code embed4j_search_int8_fallbacks_total{index}} (queries the int8 scan could not
     * certify and searched again in float).
     */
    void render(StringBuilder out) {
        Map<String, Long> queries = new LinkedHashMap<>();
        Map<String, Long> batches = new LinkedHashMap<>();
        Map<String, Long> fallbacks = new LinkedHashMap<>();
        for (RowSearch s : searches()) {
            String index = "index=\"" + s.index() + "\"";
            queries.put(index + ",method=\"" + s.method() + "\"", s.queries());
            if (s.batches() >= 0) {
                batches.put(index, s.batches());
            }
            if (s.fallbacks() >= 0) {
                fallbacks.put(index, s.fallbacks());
            }
        }
        if (queries.isEmpty()) {
            return;
        }
        Metrics.family(out, "embed4j_search_queries_total", "counter", "Queries answered by each search.", queries);
        if (!batches.isEmpty()) {
            Metrics.family(
                    out,
                    "embed4j_search_batches_total",
                    "counter",
                    "Passes over the rows of the batched exact searches (queries / batches = mean batch).",
                    batches);
        }
        if (!fallbacks.isEmpty()) {
            Metrics.family(
                    out,
                    "embed4j_search_int8_fallbacks_total",
                    "counter",
                    "Queries whose int8 answer could not be certified and were searched again in float.",
                    fallbacks);
        }
    }

    private List<RowSearch> searches() {
        List<RowSearch> all = new ArrayList<>(2);
        if (nearest != null) {
            all.add(nearest);
        }
        if (text != null) {
            all.add(text);
        }
        return all;
    }

    @Override
    public void close() {
        closeAll(nearest, text, graph);
    }

    private static void closeAll(RowSearch nearest, RowSearch text, HnswIndex graph) {
        if (nearest != null) {
            nearest.close();
        }
        if (text != null) {
            text.close();
        }
        if (graph != null) {
            try {
                graph.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing the HNSW graph: " + e);
            }
        }
    }
}
