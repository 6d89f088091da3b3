package org.embed4j.glove;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;

/**
 * A GloVe training checkpoint: W, C and their Adagrad sums after a whole number of epochs, as one safetensors
 * file (so PyTorch can open it too) written through {@code AtomicFiles} (a crash while saving leaves the previous
 * checkpoint whole). Its metadata names what it continues: the format and its version, the epochs done, their
 * losses, the settings that must match ({@link GloveOptions#modelKey()}) and the fingerprint of the vocabulary and
 * co-occurrence settings; {@link #read} refuses a checkpoint whose settings or vocabulary differ, naming the
 * difference. Stateless.
 */
final class GloveCheckpoint {
    static final String FORMAT = "embed4j-glove-checkpoint";
    static final int VERSION = 1;

    private GloveCheckpoint() {}

    /** What a checkpoint holds: the weights and how far training got. */
    record State(GloveWeights weights, int epochsDone, double[] epochLosses) {}

    static void write(Path path, GloveWeights weights, int epochsDone, double[] epochLosses, GloveOptions o, long fp)
            throws IOException {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W", weights.w);
        tensors.put("C", weights.c);
        tensors.put("gradsq_W", weights.gradsqW);
        tensors.put("gradsq_C", weights.gradsqC);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", Integer.toString(VERSION));
        meta.put("epochs_done", Integer.toString(epochsDone));
        StringBuilder losses = new StringBuilder();
        for (int e = 0; e < epochsDone; e++) {
            losses.append(e == 0 ? "" : ",").append(Double.toString(epochLosses[e]));
        }
        meta.put("epoch_losses", losses.toString());
        meta.put("settings", o.modelKey());
        meta.put("fingerprint", Long.toHexString(fp));
        meta.put("vocab_size", Integer.toString(weights.vocabSize));
        meta.put("dim", Integer.toString(weights.dim));
        Safetensors.write(path, tensors, meta);
    }

    /** Reads a checkpoint for these options and vocabulary fingerprint; the caller owns the returned weights. */
    static State read(Path path, GloveOptions o, int vocabSize, long fp) throws IOException {
        Map<String, String> meta = Safetensors.metadata(path);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + ": not a GloVe checkpoint (format " + meta.get("format") + ")");
        }
        int version = parseInt(path, meta, "version");
        if (version != VERSION) {
            throw new IOException(path + ": GloVe checkpoint version " + version + "; this build reads " + VERSION
                    + (version > VERSION ? " (written by a newer embed4j)" : ""));
        }
        if (!o.modelKey().equals(meta.get("settings"))) {
            throw new IllegalArgumentException(path + " was trained with other settings; resume with the same ones"
                    + " (only --epochs, --threads and --memory may change): checkpoint " + meta.get("settings")
                    + ", now " + o.modelKey());
        }
        if (!Long.toHexString(fp).equals(meta.get("fingerprint")) || parseInt(path, meta, "vocab_size") != vocabSize) {
            throw new IllegalArgumentException(path + " was trained on another corpus: its vocabulary ("
                    + meta.get("vocab_size") + " words, fingerprint " + meta.get("fingerprint") + ") is not this one ("
                    + vocabSize + " words, " + Long.toHexString(fp) + ")");
        }
        int epochs = parseInt(path, meta, "epochs_done");
        double[] losses = new double[epochs];
        String list = meta.getOrDefault("epoch_losses", "");
        String[] parts = list.isEmpty() ? new String[0] : list.split(",");
        if (parts.length != epochs) {
            throw new IOException(path + ": " + parts.length + " epoch losses for " + epochs + " epochs");
        }
        for (int e = 0; e < epochs; e++) {
            losses[e] = Double.parseDouble(parts[e]);
        }
        LinkedHashMap<String, Tensor> t = Safetensors.read(path);
        try {
            GloveWeights w = GloveWeights.of(
                    vocabSize, o.dim(), o.adagrad(), t.get("W"), t.get("C"), t.get("gradsq_W"), t.get("gradsq_C"));
            return new State(w, epochs, losses);
        } catch (IllegalArgumentException e) {
            t.values().forEach(Tensor::close);
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    private static int parseInt(Path path, Map<String, String> meta, String key) throws IOException {
        try {
            return Integer.parseInt(meta.get(key));
        } catch (NumberFormatException e) {
            throw new IOException(path + ": metadata " + key + " is " + meta.get(key) + ", not a number", e);
        }
    }
}
