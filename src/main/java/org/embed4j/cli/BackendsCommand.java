package org.embed4j.cli;

import picocli.CommandLine.Command;

/** {@code embed4j backends}: each backend, whether it is available, and why not. */
@Command(name = "backends", description = "List the backends and why any is unavailable.")
final class BackendsCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("java: available (reference)");
    }
}
