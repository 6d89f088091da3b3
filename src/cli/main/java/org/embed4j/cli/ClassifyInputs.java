package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;
import org.embed4j.classify.TextFormats;
import org.embed4j.cli.data.Datasets;
import org.embed4j.cli.data.LabeledData;

/**
 * How the classifier commands find their examples: an existing file (fastText {@code __label__} format or
 * {@code label<TAB>text}) or the name of a bundled set (mr, sst2, trec, ...) under the shared data folder
 * ({@code --data}, else the system property embed4j.shared.data, else $EMBED4J_SHARED_DATA, else
 * ../shared/data). A set without an official split gets the seeded, stratified 90/10 hold-out. Stateless.
 */
final class ClassifyInputs {
    private ClassifyInputs() {}

    /** The shared data folder's classify/ directory. */
    static Path classifyRoot(Path data) {
        Path root = data;
        if (root == null) {
            String p = System.getProperty("embed4j.shared.data", System.getenv("EMBED4J_SHARED_DATA"));
            root = Path.of(p != null ? p : "../shared/data");
        }
        return root.resolve("classify");
    }

    static boolean isDataset(String spec) {
        return Datasets.NAMES.contains(spec.toLowerCase(Locale.ROOT));
    }

    /** The training/test split of {@code spec}: a file (all of it is training data) or a set name. */
    static Splits.Fold split(String spec, Path data, long seed) throws IOException {
        Path file = Path.of(spec);
        if (Files.isRegularFile(file)) {
            return new Splits.Fold(TextFormats.read(file), List.of());
        }
        if (!isDataset(spec)) {
            throw new IllegalArgumentException("\"" + spec + "\" is neither a file nor a dataset name; datasets: "
                    + String.join(", ", Datasets.NAMES));
        }
        LabeledData d = Datasets.load(spec, classifyRoot(data));
        return d.trainTest(seed);
    }

    /** Test examples of {@code spec}: a whole file, or a set's test split (its 90/10 hold-out when unsplit). */
    static List<LabeledText> test(String spec, Path data, long seed) throws IOException {
        Path file = Path.of(spec);
        if (Files.isRegularFile(file) || !isDataset(spec)) {
            return TextFormats.read(file);
        }
        return split(spec, data, seed).test();
    }
}
