package org.embed4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The embed4j command line: one subcommand per job; {@code ./embed4j --help} lists them. */
@Command(name = "embed4j", mixinStandardHelpOptions = true, version = "embed4j 0.1.0",
        description = "Embeddings, word vectors and text classifiers on native CPU/CUDA kernels.")
public final class Main implements Runnable {

    /** Builds the command tree; each subcommand is its own class. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("backends", new BackendsCommand());
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
