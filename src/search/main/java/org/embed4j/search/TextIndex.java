package org.embed4j.search;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.Hits;
import org.embed4j.vectors.WordVectors;

/**
 * Matches a question to the best stored answers: N entries (id, text, optional label), each with its sentence vector
 * ({@link SentenceEncoder}: SIF-weighted mean of word vectors, first principal component removed), searched by cosine.
 * A question is encoded the same way (the collection's word frequencies and component) and answered by exact search
 * ({@link ExactSearch}, int8 scan with float rescoring) or, when an HNSW graph was built beside the index file
 * ({@code <file>.hnsw}) and exact search was not asked for, by the graph.
 *
 * <p>Built in memory ({@link #build}), written as a .e4ji file ({@link #write}, see {@code TextIndexFile}) and opened
 * with its rows memory-mapped ({@link #open}). Immutable and thread-safe once built or opened; {@link #close} closes
 * the graph.
 */
public final class TextIndex implements Closeable {
    /** One stored answer; {@code label} may be null. */
    public record Entry(String id, String text, String label) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
        }
    }

    /** A search result: the entry, its row and its cosine with the question. */
    public record Match(String id, String text, String label, int row, float score) {}

    /** SIF constant a (0: plain mean) and whether the first principal component is removed. */
    public record Options(double sifA, boolean removePc) {
        public Options {
            if (!(sifA >= 0) || Double.isInfinite(sifA)) {
                throw new IllegalArgumentException("sifA must be >= 0 and finite, got " + sifA);
            }
        }

        /** a = 1e-3 and component removal, the paper's settings. */
        public static Options defaults() {
            return new Options(1e-3, true);
        }
    }

    private final WordVectors vectors;
    private final SentenceEncoder encoder;
    private final List<Entry> entries;
    private final MemorySegment rows; // (N,D) f32 native order
    private final ExactSearch floatExact;
    private final ExactSearch exact; // int8 scan + float rescoring of the same rows
    private final HnswIndex hnsw; // null: exact search
    private volatile int ef = 100;

    private TextIndex(
            WordVectors vectors, SentenceEncoder encoder, List<Entry> entries, MemorySegment rows, HnswIndex hnsw) {
        this.vectors = vectors;
        this.encoder = encoder;
        this.entries = List.copyOf(entries);
        this.rows = rows;
        this.floatExact = ExactSearch.of(rows, entries.size(), vectors.dim());
        this.exact = floatExact.withInt8();
        this.hnsw = hnsw;
    }

    /** Encodes every entry with {@code vectors}. */
    public static TextIndex build(WordVectors vectors, List<Entry> entries, Options options) {
        Objects.requireNonNull(vectors, "vectors");
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(options, "options");
        List<String> texts = entries.stream().map(Entry::text).toList();
        Map<String, Long> counts = SentenceEncoder.countWords(vectors, texts);
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        SentenceEncoder weights = new SentenceEncoder(vectors, counts, total, options.sifA(), null);
        int n = entries.size();
        int dim = vectors.dim();
        float[] all = new float[Math.multiplyExact(n, dim)];
        for (int i = 0; i < n; i++) {
            weights.weightedMean(texts.get(i), all, i * dim);
        }
        float[] pc = options.removePc() ? SentenceEncoder.firstComponent(all, n, dim) : null;
        SentenceEncoder encoder = new SentenceEncoder(vectors, counts, total, options.sifA(), pc);
        if (pc != null) {
            for (int i = 0; i < n; i++) {
                SentenceEncoder.removeComponent(pc, all, i * dim, dim);
            }
        }
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(4, (long) all.length * Float.BYTES), 64);
        seg = seg.asSlice(0, (long) all.length * Float.BYTES);
        MemorySegment.copy(all, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, all.length);
        return new TextIndex(vectors, encoder, entries, seg, null);
    }

    /** Writes this index as a .e4ji file (the graph, if any, is not part of it). */
    public void write(Path file) throws IOException {
        TextIndexFile.write(
                file,
                rows,
                entries.size(),
                vectors.dim(),
                new TextIndexFile.Meta(
                        encoder.sifA(), encoder.total(), encoder.counts(), encoder.component(), entries));
    }

    /**
     * Opens a .e4ji file for questions encoded with {@code vectors} (the vectors it was built with); uses the graph
     * at {@code <file>.hnsw} when there is one and {@code exact} is false.
     */
    public static TextIndex open(Path file, WordVectors vectors, boolean exact) throws IOException {
        Objects.requireNonNull(vectors, "vectors");
        TextIndexFile.Opened o = TextIndexFile.read(file);
        if (o.dim() != vectors.dim()) {
            throw new IOException("text index " + file + " has dimension " + o.dim() + " but the word vectors have "
                    + vectors.dim() + ": open it with the vectors it was built with");
        }
        TextIndexFile.Meta m = o.meta();
        SentenceEncoder encoder = new SentenceEncoder(vectors, m.counts(), m.total(), m.sifA(), m.pc());
        Path graph = HnswIndex.besideModel(file);
        HnswIndex hnsw = !exact && Files.isDirectory(graph) ? HnswIndex.open(graph) : null;
        if (hnsw != null && hnsw.size() != o.n()) {
            hnsw.close();
            throw new IOException(graph + " indexes " + hnsw.size() + " rows but " + file + " has " + o.n()
                    + ": rebuild it with ./embed4j index");
        }
        return new TextIndex(vectors, encoder, m.entries(), o.rows(), hnsw);
    }

    /** Builds the HNSW graph over the sentence vectors into {@code dir}; returns its bytes. */
    public long buildGraph(Path dir, HnswIndex.Options options) throws IOException {
        int dim = vectors.dim();
        return HnswIndex.build(
                (r, out) -> MemorySegment.copy(
                        rows, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * dim * Float.BYTES, out, 0, dim),
                entries.size(),
                dim,
                dir,
                options);
    }

    /** Number of entries. */
    public int size() {
        return entries.size();
    }

    /** Entry {@code row}. */
    public Entry entry(int row) {
        return entries.get(row);
    }

    /** A copy of the stored sentence vector of entry {@code row}. */
    public float[] vector(int row) {
        Objects.checkIndex(row, entries.size());
        int dim = vectors.dim();
        float[] out = new float[dim];
        MemorySegment.copy(rows, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) row * dim * Float.BYTES, out, 0, dim);
        return out;
    }

    /** True when searches go through the HNSW graph. */
    public boolean usesGraph() {
        return hnsw != null;
    }

    /** Candidates the graph explores per search (at least k); default 100. */
    public void setEf(int ef) {
        if (ef < 1) {
            throw new IllegalArgumentException("ef must be >= 1, got " + ef);
        }
        this.ef = ef;
    }

    /** The exact searcher over the sentence vectors (int8 scan, float rescoring), for micro-batching or evaluation. */
    public ExactSearch exactSearch() {
        return exact;
    }

    /** {@link #exactSearch()}, or with {@code int8} false the plain float scan; both give the same answers. */
    public ExactSearch exactSearch(boolean int8) {
        return int8 ? exact : floatExact;
    }

    /** The word vectors questions are encoded with. */
    public WordVectors vectors() {
        return vectors;
    }

    /**
     * The sentence vector of {@code text}, as {@link #search} encodes it; {@link IllegalArgumentException} when none
     * of its words has a vector (or their weighted mean is the removed component itself, a zero vector).
     */
    public float[] encode(String text) {
        Objects.requireNonNull(text, "text");
        float[] out = new float[vectors.dim()];
        if (encoder.encode(text, out, 0) == 0 || isZero(out, 0, out.length)) {
            throw new IllegalArgumentException("the text has no word with a vector: \"" + brief(text) + "\"");
        }
        return out;
    }

    /**
     * The k best rows for a question already encoded ({@link #encode}), best first: through the graph when this index
     * has one (approximate), else by exact search.
     */
    public Hits searchRows(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        return hnsw != null ? hnsw.search(query, k, ef) : exact.search(query, 1, k);
    }

    /** The k best entries for {@code text}, best first. */
    public List<Match> search(String text, int k) {
        return search(List.of(text), k).get(0);
    }

    /** The k best entries for each text (one exact search for all of them, or one graph search each). */
    public List<List<Match>> search(List<String> texts, int k) {
        Objects.requireNonNull(texts, "texts");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int dim = vectors.dim();
        float[] q = new float[texts.size() * dim];
        for (int i = 0; i < texts.size(); i++) {
            String t = Objects.requireNonNull(texts.get(i), "text " + i);
            if (encoder.encode(t, q, i * dim) == 0 || isZero(q, i * dim, dim)) {
                throw new IllegalArgumentException("text " + i + " has no word with a vector: \"" + brief(t) + "\"");
            }
        }
        List<List<Match>> out = new ArrayList<>(texts.size());
        if (hnsw == null) {
            Hits h = exact.search(q, texts.size(), k);
            for (int i = 0; i < texts.size(); i++) {
                out.add(matches(h.rows(i), h.scores(i)));
            }
        } else {
            for (int i = 0; i < texts.size(); i++) {
                Hits h = hnsw.search(java.util.Arrays.copyOfRange(q, i * dim, i * dim + dim), k, ef);
                out.add(matches(h.rows(0), h.scores(0)));
            }
        }
        return out;
    }

    private List<Match> matches(int[] rowIds, float[] scores) {
        List<Match> m = new ArrayList<>(rowIds.length);
        for (int i = 0; i < rowIds.length; i++) {
            Entry e = entries.get(rowIds[i]);
            m.add(new Match(e.id(), e.text(), e.label(), rowIds[i], scores[i]));
        }
        return List.copyOf(m);
    }

    private static boolean isZero(float[] v, int off, int dim) {
        for (int d = 0; d < dim; d++) {
            if (v[off + d] != 0f) {
                return false;
            }
        }
        return true;
    }

    private static String brief(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    @Override
    public void close() throws IOException {
        if (hnsw != null) {
            hnsw.close();
        }
    }

    @Override
    public String toString() {
        return "TextIndex(" + entries.size() + " entries, dim " + vectors.dim() + (hnsw == null ? ", exact" : ", hnsw")
                + ")";
    }
}
