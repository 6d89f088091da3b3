package org.embed4j.cli;

import java.io.PrintStream;
import java.util.function.Supplier;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The command line's log output. The libraries log through System.Logger, which the JDK sends to java.util.logging;
 * its default handler prints two lines a record (a date line, then "INFO: message"). The CLI replaces it with one
 * line a record on stderr, {@code INFO embed4j: message}, and with {@code --quiet} shows warnings and errors only.
 * Configures the process-wide root logger; call it once per command, before the command runs.
 */
final class CliLog {
    private CliLog() {}

    /**
     * The backend choice ("embed4j backend: cpu (AVX2+FMA...); skipped cuda: ...") is logged at INFO by the library;
     * the CLI shows it at WARNING and up only, as its summaries name the backend and {@code embed4j backends} explains
     * every choice. Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
     */
    private static final Logger BACKEND_CHOICE = Logger.getLogger("org.embed4j.backend.Backends");

    /** Replaces the root logger's handlers with one {@link OneLine} handler on stderr: INFO and up, or WARNING and up. */
    static void configure(boolean quiet) {
        BACKEND_CHOICE.setLevel(Level.WARNING);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler stderr = new StreamHandler(() -> System.err);
        stderr.setLevel(Level.ALL);
        root.addHandler(stderr);
        root.setLevel(quiet ? Level.WARNING : Level.INFO);
    }

    /**
     * A handler that prints each record with {@link OneLine} to the stream that {@code out} gives at that moment
     * (System.err as it is then, so a test that swaps System.err sees the lines). Thread-safe: one record per call.
     */
    static final class StreamHandler extends Handler {
        private final Supplier<PrintStream> out;

        StreamHandler(Supplier<PrintStream> out) {
            this.out = out;
            setFormatter(new OneLine());
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (isLoggable(record)) {
                PrintStream s = out.get();
                s.print(getFormatter().format(record));
                s.flush();
            }
        }

        @Override
        public void flush() {
            out.get().flush();
        }

        @Override
        public void close() {
            flush();
        }
    }

    /**
     * {@code LEVEL source: message}: levels as System.Logger names them (ERROR, WARN, INFO, DEBUG), source
     * "embed4j" for embed4j's loggers and the logger name for others, the message with its {0} parameters filled
     * in, line breaks folded and control characters escaped ({@link Terminal}), then what went wrong
     * ({@link ErrorMessages}) when there is an exception. One line, newline ended. Stateless.
     */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(120)
                    .append(level(r.getLevel()))
                    .append(' ')
                    .append(source(r.getLoggerName()))
                    .append(": ")
                    .append(oneLine(formatMessage(r)));
            if (r.getThrown() != null) {
                sb.append(": ").append(ErrorMessages.of(r.getThrown()));
            }
            return sb.append(System.lineSeparator()).toString();
        }

        private static String level(Level l) {
            int v = l.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            } else if (v >= Level.WARNING.intValue()) {
                return "WARN";
            } else if (v >= Level.INFO.intValue()) {
                return "INFO";
            }
            return "DEBUG";
        }

        private static String source(String logger) {
            if (logger == null || logger.isEmpty()) {
                return "embed4j";
            }
            return logger.equals("org.embed4j") || logger.startsWith("org.embed4j.") ? "embed4j" : logger;
        }

        private static String oneLine(String s) {
            return s == null ? "" : Terminal.escape(s.strip().replaceAll("\\s*\\R\\s*", " "));
        }
    }
}
