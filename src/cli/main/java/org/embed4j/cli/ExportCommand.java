package org.embed4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embed4j.cli.tensorboard.ProjectorExport;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j export --projector DIR --model m.e4jv [--limit N]}: writes the vectors for the Embedding Projector
 * (vectors.tsv, metadata.tsv with each word's count, projector_config.pbtxt; see {@link ProjectorExport}). Counts
 * come from {@code --vocab} or the {@code <model>.vocab.txt} that train-vectors writes beside its models.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Export word vectors for the TensorBoard / projector.tensorflow.org Embedding Projector.")
final class ExportCommand implements Callable<Integer> {
    @Option(
            names = "--projector",
            required = true,
            description = "folder for vectors.tsv, metadata.tsv and projector_config.pbtxt")
    Path projector;

    @Option(names = "--model", required = true, description = "word vectors (.e4jv, .bin, .vec, GloVe .txt, ...)")
    Path model;

    @Option(names = "--format", description = "model format when the file does not say (default: detected)")
    String format;

    @Option(
            names = "--limit",
            description = "the first N words only (the most frequent in a model trained here; default: all)")
    Integer limit;

    @Option(
            names = "--vocab",
            description = "\"word count\" lines for metadata.tsv (default: <model>.vocab.txt when it exists)")
    Path vocab;

    @Override
    public Integer call() {
        return VectorsCommands.run("export", () -> {
            WordVectors v = VectorsCommands.load(model, format);
            Path counts = vocab != null ? vocab : VocabFile.forModel(model);
            if (vocab != null && !Files.isRegularFile(vocab)) {
                throw new java.nio.file.NoSuchFileException(vocab.toString());
            }
            Map<String, Long> c = Files.isRegularFile(counts) ? VocabFile.read(counts) : null;
            ProjectorExport.Written w = ProjectorExport.write(
                    projector,
                    v,
                    limit == null ? v.size() : limit,
                    c,
                    model.getFileName().toString());
            System.out.printf(
                    "wrote %d x %d vectors to %s (vectors.tsv, metadata.tsv%s, projector_config.pbtxt)%n",
                    w.rows(),
                    v.dim(),
                    projector,
                    c == null ? " without counts: no " + counts.getFileName() : " with counts");
            return 0;
        });
    }
}
