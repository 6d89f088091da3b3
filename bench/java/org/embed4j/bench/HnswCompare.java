package org.embed4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.Hits;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * {@code HnswCompare <vectors.e4jv> <sentences.txt> <rows> <text-index.e4ji> <graph-dir>...}: several HNSW graphs
 * over the same text index (built by {@code SearchBench hnsw} with different settings) measured in one process, each
 * ef of the sweep on every graph in turn, so that the machine's load moves all of them alike: recall@10 against exact
 * search for the 500 sentences after the first rows, q/s with one caller thread per core and process CPU per query;
 * exact search is measured before and after the sweep. Prints log lines only (no RESULT lines).
 */
public final class HnswCompare {
    private HnswCompare() {}

    public static void main(String[] args) throws Exception {
        WordVectors v = VectorsIO.read(Path.of(args[0]));
        int rows = Integer.parseInt(args[2]);
        List<String> held;
        try (var s = Files.lines(Path.of(args[1]))) {
            held = s.skip(rows).limit(500).toList();
        }
        TextIndex text = TextIndex.open(Path.of(args[3]), v, true);
        List<float[]> qs = new ArrayList<>();
        for (String t : held) {
            try {
                qs.add(text.encode(t));
            } catch (IllegalArgumentException e) {
                // a held-out sentence with no known word is no query
            }
        }
        ExactSearch exact = text.exactSearch();
        List<Hits> truth = new ArrayList<>();
        for (float[] q : qs) {
            truth.add(exact.search(q, 1, 10));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        List<HnswIndex> graphs = new ArrayList<>();
        try {
            for (int i = 4; i < args.length; i++) {
                graphs.add(HnswIndex.open(Path.of(args[i])));
            }
            SearchBench.Loop before = SearchBench.bestQps(qs, q -> exact.search(q, 1, 10), 1);
            log("exact before", before);
            for (int ef : SearchBench.EF_SWEEP) {
                for (int g = 0; g < graphs.size(); g++) {
                    HnswIndex graph = graphs.get(g);
                    double recall = SearchBench.recall(graph, qs, truth, ef);
                    SearchBench.Loop loop = SearchBench.bestQps(qs, q -> graph.search(q, 10, ef), cores);
                    System.err.printf(
                            Locale.ROOT,
                            "compare: ef=%d %s recall@10 %.4f, %.0f q/s, %.3f ms CPU/query%n",
                            ef,
                            Path.of(args[4 + g]).getFileName(),
                            recall,
                            loop.qps(),
                            loop.cpuMsPerQuery());
                }
            }
            log("exact after", SearchBench.bestQps(qs, q -> exact.search(q, 1, 10), 1));
        } finally {
            for (HnswIndex g : graphs) {
                g.close();
            }
        }
    }

    private static void log(String what, SearchBench.Loop loop) {
        System.err.printf(
                Locale.ROOT, "compare: %s %.0f q/s, %.3f ms CPU/query%n", what, loop.qps(), loop.cpuMsPerQuery());
    }
}
