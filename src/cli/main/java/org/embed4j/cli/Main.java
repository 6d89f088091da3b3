package org.embed4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The embed4j command line: one subcommand per job; {@code ./embed4j --help} lists them. */
@Command(
        name = "embed4j",
        mixinStandardHelpOptions = true,
        version = "embed4j 0.1.0",
        description = "Embeddings, word vectors and text classifiers on native CPU/CUDA kernels.")
public final class Main implements Runnable {

    /** Builds the command tree; each subcommand is its own class. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("analogy", new AnalogyCommand());
        cli.addSubcommand("backends", new BackendsCommand());
        cli.addSubcommand("convert", new ConvertCommand());
        cli.addSubcommand("demo", new DemoCommand());
        cli.addSubcommand("evaluate", new EvaluateCommand());
        cli.addSubcommand("nearest", new NearestCommand());
        cli.addSubcommand("phrases", new PhrasesCommand());
        cli.addSubcommand("predict", new PredictCommand());
        cli.addSubcommand("prune", new PruneCommand());
        cli.addSubcommand("quantize", new QuantizeCommand());
        cli.addSubcommand("serve", new ServeCommand());
        cli.addSubcommand("test-classifier", new TestClassifierCommand());
        cli.addSubcommand("test-docvectors", new TestDocVectorsCommand());
        cli.addSubcommand("train-classifier", new TrainClassifierCommand());
        cli.addSubcommand("train-docvectors", new TrainDocVectorsCommand());
        cli.addSubcommand("train-mlp", new TrainMlpCommand());
        cli.addSubcommand("train-vectors", new TrainVectorsCommand());
        // subcommands: one line each, keep sorted by name
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
