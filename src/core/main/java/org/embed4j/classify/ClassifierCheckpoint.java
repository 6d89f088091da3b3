package org.embed4j.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;

/**
 * A fastText-style classifier training checkpoint: the input and output matrices, the tokens done (the learning-rate
 * clock), the epochs done and, for a checkpoint taken mid-epoch, where each part of the epoch in progress had got to
 * (the epoch's shuffled order is cut into one contiguous part per thread: {@code part_position[t]} is the index in
 * that order where part t goes on, {@code part_loss[t]} the loss it had summed, as raw double bits), as one
 * safetensors file written atomically (a failed write leaves the previous checkpoint whole). Each epoch's shuffle and
 * each part's random draws come from the seed, the epoch number and the part, so these are all a resumed run needs.
 * Version 1 files (between epochs only) are read too. The metadata names the settings that must match (every option but threads: {@link
 * #settingsKey}) and a fingerprint of the dictionary (words, labels, input rows); {@link #read} refuses a checkpoint
 * whose settings or dictionary differ, naming the difference. Stateless.
 */
final class ClassifierCheckpoint {
    static final String FORMAT = "embed4j-classifier-checkpoint";
    static final int VERSION = 2;

    private ClassifierCheckpoint() {}

    /**
     * How far a checkpointed run got: {@code epochsDone} whole epochs and, mid-epoch, the position and loss sum of each
     * part of the next one ({@code positions} empty between epochs); {@code examples} trained on per epoch (0: not
     * recorded, a version 1 file).
     */
    record State(int epochsDone, long tokensDone, long[] positions, double[] losses, int examples) {
        /** A checkpoint between epochs. */
        static State between(int epochsDone, long tokensDone, int examples) {
            return new State(epochsDone, tokensDone, new long[0], new double[0], examples);
        }

        boolean midEpoch() {
            return positions.length > 0;
        }
    }

    /** The options that decide the model, as text: all but threads (which may change on resume). */
    static String settingsKey(ClassifierOptions o) {
        return o.withThreads(1).toString();
    }

    /** A 64-bit fingerprint of the dictionary's words, labels (in order) and input rows. */
    static long fingerprint(Dictionary dict) {
        long h = Fnv1a.BASIS_64;
        for (List<String> names : List.of(dict.words(), dict.labels())) {
            for (String s : names) {
                h = Fnv1a.step64(h, s.hashCode());
            }
            h = Fnv1a.step64(h, names.size());
        }
        return Fnv1a.step64(h, dict.inputRows());
    }

    static void write(Path path, float[] input, float[] output, State s, ClassifierOptions o, Dictionary dict)
            throws IOException {
        int dim = o.dim();
        long[] lossBits = new long[s.losses().length];
        for (int i = 0; i < lossBits.length; i++) {
            lossBits[i] = Double.doubleToRawLongBits(s.losses()[i]);
        }
        try (Tensor in = Tensor.of(input, input.length / dim, dim);
                Tensor out = Tensor.of(output, output.length / dim, dim);
                Tensor positions = s.midEpoch() ? Tensor.of(s.positions(), s.positions().length) : null;
                Tensor losses = s.midEpoch() ? Tensor.of(lossBits, lossBits.length) : null) {
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("input", in);
            tensors.put("output", out);
            if (s.midEpoch()) {
                tensors.put("part_position", positions);
                tensors.put("part_loss", losses);
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("version", Integer.toString(VERSION));
            meta.put("epochs_done", Integer.toString(s.epochsDone()));
            meta.put("tokens_done", Long.toString(s.tokensDone()));
            meta.put("examples", Integer.toString(s.examples()));
            meta.put("settings", settingsKey(o));
            meta.put("fingerprint", Long.toHexString(fingerprint(dict)));
            meta.put("words", Integer.toString(dict.words().size()));
            meta.put("labels", Integer.toString(dict.labels().size()));
            Safetensors.write(path, tensors, meta);
        }
    }

    /** Reads a checkpoint for these options and dictionary into {@code input} and {@code output}. */
    static State read(Path path, float[] input, float[] output, ClassifierOptions o, Dictionary dict)
            throws IOException {
        Map<String, String> meta = Safetensors.metadata(path);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + ": not a classifier checkpoint (format " + meta.get("format") + ")");
        }
        long version = number(path, meta, "version");
        if (version != VERSION && version != 1) {
            throw new IOException(
                    path + ": classifier checkpoint version " + version + "; this build reads 1 and " + VERSION);
        }
        if (!settingsKey(o).equals(meta.get("settings"))) {
            throw new IllegalArgumentException(path + " was trained with other settings; resume with the same ones"
                    + " (only --threads may change): checkpoint " + meta.get("settings") + ", now " + settingsKey(o));
        }
        String fp = Long.toHexString(fingerprint(dict));
        if (!fp.equals(meta.get("fingerprint"))) {
            throw new IllegalArgumentException(path + " was trained on other data: its dictionary (" + meta.get("words")
                    + " words, " + meta.get("labels") + " labels, fingerprint " + meta.get("fingerprint")
                    + ") is not this one (" + dict.words().size() + " words, "
                    + dict.labels().size() + " labels, "
                    + fp + ")");
        }
        LinkedHashMap<String, Tensor> t = Safetensors.read(path);
        try {
            copy(path, t.get("input"), input, "input");
            copy(path, t.get("output"), output, "output");
            Tensor positions = t.get("part_position");
            Tensor losses = t.get("part_loss");
            if ((positions == null) != (losses == null)
                    || (positions != null && (positions.rank() != 1 || losses.numel() != positions.numel()))) {
                throw new IOException(path + ": part_position and part_loss must both be there, one entry per part");
            }
            long[] lossBits = losses == null ? new long[0] : losses.toLongArray();
            double[] loss = new double[lossBits.length];
            for (int i = 0; i < loss.length; i++) {
                loss[i] = Double.longBitsToDouble(lossBits[i]);
            }
            long epochs = number(path, meta, "epochs_done");
            if (epochs < 0 || epochs > o.epoch() || (epochs == o.epoch() && positions != null)) {
                throw new IOException(path + ": epochs_done " + epochs + (positions != null ? " (mid-epoch)" : "")
                        + " is not within a run of " + o.epoch() + " epochs");
            }
            return new State(
                    (int) epochs,
                    number(path, meta, "tokens_done"),
                    positions == null ? new long[0] : positions.toLongArray(),
                    loss,
                    meta.containsKey("examples") ? (int) number(path, meta, "examples") : 0);
        } finally {
            t.values().forEach(Tensor::close);
        }
    }

    private static void copy(Path path, Tensor from, float[] to, String name) throws IOException {
        if (from == null || from.numel() != to.length) {
            throw new IOException(path + ": " + name + " matrix is " + (from == null ? "missing" : from.toString())
                    + ", the run needs " + to.length + " floats");
        }
        float[] values = from.toFloatArray();
        System.arraycopy(values, 0, to, 0, to.length);
    }

    private static long number(Path path, Map<String, String> meta, String key) throws IOException {
        try {
            return Long.parseLong(meta.get(key));
        } catch (NumberFormatException e) {
            throw new IOException(path + ": metadata " + key + " is " + meta.get(key) + ", not a number", e);
        }
    }
}
