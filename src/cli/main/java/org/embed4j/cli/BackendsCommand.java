package org.embed4j.cli;

import java.util.List;
import org.embed4j.backend.BackendStatus;
import org.embed4j.backend.Backends;
import picocli.CommandLine.Command;

/**
 * {@code embed4j backends}: each backend, available or not, and why (CPU features, library path and version,
 * or the reason it cannot run), then the one {@code Backends.auto()} picks. Always exits 0: an unavailable
 * backend is information, not an error.
 */
@Command(name = "backends", description = "List the backends and why any is unavailable.")
final class BackendsCommand implements Runnable {
    @Override
    public void run() {
        List<BackendStatus> all = Backends.describe();
        int width = all.stream().mapToInt(s -> s.name().length()).max().orElse(4);
        for (BackendStatus s : all) {
            System.out.printf(
                    "%-" + width + "s  %-11s  %s%n", s.name(), s.available() ? "available" : "unavailable", s.detail());
        }
        String property = System.getProperty(Backends.BACKEND_PROPERTY);
        try {
            System.out.println("default: " + Backends.auto().name()
                    + (property == null
                            ? " (auto; -D" + Backends.BACKEND_PROPERTY + "=auto|cuda|cpu|java to force one)"
                            : " (-D" + Backends.BACKEND_PROPERTY + "=" + property + ")"));
        } catch (RuntimeException e) {
            System.out.println("default: none: " + e.getMessage());
        }
    }
}
