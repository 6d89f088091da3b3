package org.embed4j.classify.mlp;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.embed4j.io.Json;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;

/**
 * The one-file MLP classifier format: a safetensors file (so {@code safetensors.torch.load_file} opens the weights)
 * whose {@code __metadata__} holds {@code format = "embed4j-mlp"}, the format {@code version}, the training
 * {@code config}, the vocabulary {@code words} and the {@code labels} (JSON strings), and whose tensors are
 * {@code embedding.weight} (V,D), {@code hidden.weight} (H,D), {@code hidden.bias} (H), {@code output.weight} (K,H)
 * and {@code output.bias} (K), all F32.
 *
 * <p>Reading checks the header before any tensor is allocated: the format name, the version (a newer one is refused
 * by name), the config, and that every tensor's shape matches the vocabulary, labels and config; {@link Safetensors}
 * has already checked the offsets against the file size, so a truncated file fails before allocating. Every weight
 * must be finite. Every error is an {@link IOException} naming the file. Written atomically through {@link Safetensors}. Stateless.
 */
final class MlpFile {
    static final String FORMAT = "embed4j-mlp";
    static final int VERSION = 1;

    private MlpFile() {}

    static void write(MlpClassifier model, Path path) throws IOException {
        MlpConfig c = model.config();
        int v = model.words().size();
        int k = model.labels().size();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            tensors.put("embedding.weight", Tensor.of(model.embedding(), v, c.dim()));
            tensors.put("hidden.weight", Tensor.of(model.hiddenWeight(), c.hidden(), c.dim()));
            tensors.put("hidden.bias", Tensor.of(model.hiddenBias(), c.hidden()));
            tensors.put("output.weight", Tensor.of(model.outputWeight(), k, c.hidden()));
            tensors.put("output.bias", Tensor.of(model.outputBias(), k));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("version", Integer.toString(VERSION));
            meta.put("config", Json.write(configJson(c)));
            meta.put("words", Json.write(model.words()));
            meta.put("labels", Json.write(model.labels()));
            Safetensors.write(path, tensors, meta);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    static MlpClassifier read(Path path) throws IOException {
        if (Files.size(path) == 0) {
            throw new IOException(path + ": the file is empty, not an embed4j MLP classifier");
        }
        Map<String, String> meta = Safetensors.metadata(path);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + ": a safetensors file but not an embed4j MLP classifier (metadata format is "
                    + (meta.containsKey("format") ? "\"" + meta.get("format") + "\"" : "missing") + ", expected \""
                    + FORMAT + "\")");
        }
        int version = version(path, meta.get("version"));
        if (version > VERSION) {
            throw new IOException(path + ": written by a newer embed4j (MLP format version " + version
                    + "); this build reads version " + VERSION + " and older");
        }
        MlpConfig config = config(path, meta.get("config"));
        List<String> words = stringList(path, meta.get("words"), "words");
        List<String> labels = stringList(path, meta.get("labels"), "labels");
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("embedding.weight", new long[] {words.size(), config.dim()});
        expected.put("hidden.weight", new long[] {config.hidden(), config.dim()});
        expected.put("hidden.bias", new long[] {config.hidden()});
        expected.put("output.weight", new long[] {labels.size(), config.hidden()});
        expected.put("output.bias", new long[] {labels.size()});
        LinkedHashMap<String, Tensor> tensors = Safetensors.read(path);
        try {
            if (!tensors.keySet().equals(expected.keySet())) {
                throw new IOException(path + ": tensors " + new TreeSet<>(tensors.keySet()) + ", expected "
                        + new TreeSet<>(expected.keySet()));
            }
            float[][] data = new float[expected.size()][];
            int i = 0;
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                Tensor t = tensors.get(e.getKey());
                if (t.dtype() != org.embed4j.tensor.DType.F32 || !Arrays.equals(t.shape(), e.getValue())) {
                    throw new IOException(path + ": tensor " + e.getKey() + " is " + t.describe() + ", expected F32"
                            + Arrays.toString(e.getValue()) + " for " + words.size() + " terms, " + labels.size()
                            + " labels, dim " + config.dim() + ", hidden " + config.hidden());
                }
                float[] values = t.toFloatArray();
                for (int j = 0; j < values.length; j++) {
                    if (!Float.isFinite(values[j])) {
                        long cols = e.getValue().length == 2 ? e.getValue()[1] : 1;
                        throw new IOException(path + ": tensor " + e.getKey() + " holds " + values[j] + " at row "
                                + j / cols + ", column " + j % cols + " (weights must be finite)");
                    }
                }
                data[i++] = values;
            }
            return new MlpClassifier(config, words, labels, data[0], data[1], data[2], data[3], data[4]);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": corrupt MLP classifier: " + e.getMessage(), e);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    private static int version(Path path, String value) throws IOException {
        try {
            int v = Integer.parseInt(String.valueOf(value));
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the value
        }
        throw new IOException(path + ": bad MLP format version \"" + value + "\" in the metadata");
    }

    private static Map<String, Object> configJson(MlpConfig c) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("epochs", c.epochs());
        o.put("batchSize", c.batchSize());
        o.put("dim", c.dim());
        o.put("hidden", c.hidden());
        o.put("lr", c.lr());
        o.put("seed", c.seed());
        o.put("dropout", c.dropout());
        o.put("minCount", c.minCount());
        o.put("wordNgrams", c.wordNgrams());
        o.put("devFraction", c.devFraction());
        o.put("patience", c.patience());
        return o;
    }

    private static MlpConfig config(Path path, String json) throws IOException {
        try {
            Map<String, Object> o = Json.parseObject(String.valueOf(json));
            return new MlpConfig(
                    number(o, "epochs").intValueExact(),
                    number(o, "batchSize").intValueExact(),
                    number(o, "dim").intValueExact(),
                    number(o, "hidden").intValueExact(),
                    number(o, "lr").floatValue(),
                    number(o, "seed").longValueExact(),
                    number(o, "dropout").floatValue(),
                    number(o, "minCount").intValueExact(),
                    number(o, "wordNgrams").intValueExact(),
                    number(o, "devFraction").floatValue(),
                    number(o, "patience").intValueExact());
        } catch (Json.JsonException | ArithmeticException e) {
            throw new IOException(
                    path + ": the MLP config in the metadata is missing or malformed: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": bad MLP config in the metadata: " + e.getMessage(), e);
        }
    }

    private static BigDecimal number(Map<String, Object> o, String key) throws Json.JsonException {
        if (!(o.get(key) instanceof BigDecimal d)) {
            throw new Json.JsonException("\"" + key + "\" is not a number");
        }
        return d;
    }

    private static List<String> stringList(Path path, String json, String what) throws IOException {
        try {
            if (!(Json.parse(String.valueOf(json)) instanceof List<?> a)) {
                throw new Json.JsonException("not an array");
            }
            List<String> out = new ArrayList<>(a.size());
            for (Object e : a) {
                if (!(e instanceof String s)) {
                    throw new Json.JsonException("not a string: " + e);
                }
                out.add(s);
            }
            return out;
        } catch (Json.JsonException e) {
            throw new IOException(
                    path + ": the " + what + " list in the metadata is missing or malformed: " + e.getMessage(), e);
        }
    }
}
