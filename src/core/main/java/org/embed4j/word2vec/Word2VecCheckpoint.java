package org.embed4j.word2vec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Vocabulary;

/**
 * A word2vec training checkpoint: W_in, W_out (negative sampling), the hierarchical-softmax rows, every worker's two
 * random states (subsampling LCG, kernel RNG), the words done (the learning-rate clock) and the position in the corpus
 * (whole epochs done, then chunks of the epoch in progress: 0 between epochs), as one safetensors file written
 * atomically (a failed write leaves the previous checkpoint whole). Version 1 files (between epochs only) are read
 * too. Its metadata names the settings that must match (every option but threads and backend: {@link
 * #settingsKey}) and a fingerprint of the vocabulary (words and counts); {@link #read} refuses a checkpoint whose
 * settings or vocabulary differ, naming the difference. Stateless.
 */
final class Word2VecCheckpoint {
    static final String FORMAT = "embed4j-word2vec-checkpoint";
    static final int VERSION = 2;

    private Word2VecCheckpoint() {}

    /**
     * How far a checkpointed run got: {@code chunksDone} chunks of epoch {@code epochsDone} (counted from 0) are
     * trained; {@code rngs[i]} is worker i's {subsampling, kernel} state.
     */
    record State(int epochsDone, long chunksDone, long wordsDone, long steps, long[][] rngs) {}

    /** The options that decide the model, as text: all but threads and backend (which may change on resume). */
    static String settingsKey(Word2VecOptions o) {
        return o.withThreads(1).withBackend("auto").toString();
    }

    /** A 64-bit fingerprint of the vocabulary's words, order and counts. */
    static long fingerprint(Vocabulary vocab) {
        long h = Fnv1a.BASIS_64;
        long[] counts = vocab.counts();
        for (int i = 0; i < vocab.size(); i++) {
            h = Fnv1a.step64(h, vocab.word(i).hashCode());
            h = Fnv1a.step64(h, counts[i]);
        }
        return h;
    }

    static void write(Path path, Tensor wIn, Tensor wOut, Tensor wHs, State s, Word2VecOptions o, Vocabulary vocab)
            throws IOException {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        long[] flat = new long[s.rngs().length * 2];
        for (int i = 0; i < s.rngs().length; i++) {
            flat[2 * i] = s.rngs()[i][0];
            flat[2 * i + 1] = s.rngs()[i][1];
        }
        try (Tensor rng = Tensor.of(flat, s.rngs().length, 2)) {
            tensors.put("W_in", wIn);
            if (wOut != null) {
                tensors.put("W_out", wOut);
            }
            if (wHs != null) {
                tensors.put("W_hs", wHs);
            }
            tensors.put("worker_rng", rng);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("version", Integer.toString(VERSION));
            meta.put("epochs_done", Integer.toString(s.epochsDone()));
            meta.put("chunks_done", Long.toString(s.chunksDone()));
            meta.put("words_done", Long.toString(s.wordsDone()));
            meta.put("steps", Long.toString(s.steps()));
            meta.put("settings", settingsKey(o));
            meta.put("fingerprint", Long.toHexString(fingerprint(vocab)));
            meta.put("vocab_size", Integer.toString(vocab.size()));
            Safetensors.write(path, tensors, meta);
        }
    }

    /**
     * Reads a checkpoint for these options and vocabulary into the given weights (same shapes as when written;
     * {@code wOut}, {@code wHs} may be null) and returns how far it got.
     */
    static State read(Path path, Tensor wIn, Tensor wOut, Tensor wHs, Word2VecOptions o, Vocabulary vocab)
            throws IOException {
        Map<String, String> meta = Safetensors.metadata(path);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + ": not a word2vec checkpoint (format " + meta.get("format") + ")");
        }
        long version = number(path, meta, "version");
        if (version != VERSION && version != 1) {
            throw new IOException(path + ": word2vec checkpoint version " + version + "; this build reads " + VERSION);
        }
        if (!settingsKey(o).equals(meta.get("settings"))) {
            throw new IllegalArgumentException(path + " was trained with other settings; resume with the same ones"
                    + " (only --threads may change): checkpoint " + meta.get("settings") + ", now " + settingsKey(o));
        }
        String fp = Long.toHexString(fingerprint(vocab));
        if (!fp.equals(meta.get("fingerprint")) || number(path, meta, "vocab_size") != vocab.size()) {
            throw new IllegalArgumentException(path + " was trained on another corpus: its vocabulary ("
                    + meta.get("vocab_size") + " words, fingerprint " + meta.get("fingerprint") + ") is not this one ("
                    + vocab.size() + " words, " + fp + ")");
        }
        LinkedHashMap<String, Tensor> t = Safetensors.read(path);
        try {
            copy(path, t.get("W_in"), wIn, "W_in");
            copy(path, t.get("W_out"), wOut, "W_out");
            copy(path, t.get("W_hs"), wHs, "W_hs");
            Tensor rng = t.get("worker_rng");
            if (rng == null || rng.rank() != 2 || rng.size(1) != 2) {
                throw new IOException(path + ": worker_rng is missing or not (threads, 2)");
            }
            long[] flat = rng.toLongArray();
            long[][] rngs = new long[(int) rng.size(0)][];
            for (int i = 0; i < rngs.length; i++) {
                rngs[i] = new long[] {flat[2 * i], flat[2 * i + 1]};
            }
            long epochs = number(path, meta, "epochs_done");
            long chunks = version == 1 ? 0 : number(path, meta, "chunks_done");
            if (epochs < 0 || epochs > o.epochs() || chunks < 0 || (epochs == o.epochs() && chunks > 0)) {
                throw new IOException(path + ": position epochs_done " + epochs + ", chunks_done " + chunks
                        + " is not within a run of " + o.epochs() + " epochs");
            }
            return new State((int) epochs, chunks, number(path, meta, "words_done"), number(path, meta, "steps"), rngs);
        } finally {
            t.values().forEach(Tensor::close);
        }
    }

    private static void copy(Path path, Tensor from, Tensor to, String name) throws IOException {
        if (to == null && from == null) {
            return;
        }
        if (to == null || from == null || from.numel() != to.numel() || from.dtype() != to.dtype()) {
            throw new IOException(path + ": " + name + " is " + (from == null ? "missing" : from.toString())
                    + ", the run needs " + (to == null ? "none" : to.toString()));
        }
        MemorySegment.copy(from.segment(), 0, to.segment(), 0, to.segment().byteSize());
    }

    private static long number(Path path, Map<String, String> meta, String key) throws IOException {
        try {
            return Long.parseLong(meta.get(key));
        } catch (NumberFormatException e) {
            throw new IOException(path + ": metadata " + key + " is " + meta.get(key) + ", not a number", e);
        }
    }
}
