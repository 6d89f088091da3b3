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
        cli.setExecutionStrategy(parsed -> {
            CliLog.configure(quiet(parsed));
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.addSubcommand("analogy", new AnalogyCommand());
        cli.addSubcommand("backends", new BackendsCommand());
        cli.addSubcommand("convert", new ConvertCommand());
        cli.addSubcommand("demo", new DemoCommand());
        cli.addSubcommand("evaluate", new EvaluateCommand());
        cli.addSubcommand("export", new ExportCommand());
        cli.addSubcommand("index", new IndexCommand());
        cli.addSubcommand("nearest", new NearestCommand());
        cli.addSubcommand("phrases", new PhrasesCommand());
        cli.addSubcommand("plot", new PlotCommand());
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
        // charts are drawn off screen: never look for a display (a terminal session may have none)
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** Whether the command that runs was given --quiet (-q): then the log shows warnings and errors only. */
    private static boolean quiet(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        return last.hasMatchedOption("--quiet");
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
