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
 * A fastText-style classifier training checkpoint after a whole number of epochs: the input and output matrices and
 * the tokens done (the learning-rate clock), as one safetensors file written atomically (a failed write leaves the
 * previous checkpoint whole). Each epoch's shuffle and random draws come from the seed and the epoch number, so these
 * are all a resumed run needs. The metadata names the settings that must match (every option but threads: {@link
 * #settingsKey}) and a fingerprint of the dictionary (words, labels, input rows); {@link #read} refuses a checkpoint
 * whose settings or dictionary differ, naming the difference. Stateless.
 */
final class ClassifierCheckpoint {
    static final String FORMAT = "embed4j-classifier-checkpoint";
    static final int VERSION = 1;

    private ClassifierCheckpoint() {}

    /** How far a checkpointed run got. */
    record State(int epochsDone, long tokensDone) {}

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
        try (Tensor in = Tensor.of(input, input.length / dim, dim);
                Tensor out = Tensor.of(output, output.length / dim, dim)) {
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("input", in);
            tensors.put("output", out);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("version", Integer.toString(VERSION));
            meta.put("epochs_done", Integer.toString(s.epochsDone()));
            meta.put("tokens_done", Long.toString(s.tokensDone()));
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
        if (version != VERSION) {
            throw new IOException(
                    path + ": classifier checkpoint version " + version + "; this build reads " + VERSION);
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
            return new State((int) number(path, meta, "epochs_done"), number(path, meta, "tokens_done"));
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
