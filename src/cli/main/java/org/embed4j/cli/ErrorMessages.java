package org.embed4j.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The one line the command line prints for a failure: what went wrong in words a user can act on, never a Java class
 * name, a stack trace or a library's web address. Wrappers (ExecutionException, an exception whose message is only
 * its cause's class and message, as an UncheckedIOException made from its cause has) give way to their cause; file-system errors say what happened
 * to which file; a qualified exception class name at the start of a message is dropped, "See https://..." advice of
 * libraries too; line breaks are folded and control characters escaped ({@link Terminal}). Stateless.
 */
final class ErrorMessages {
    /** "com.google.gson.stream.MalformedJsonException: " and the like, anywhere in a message. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*");
    /** A library's pointer to its documentation: " See https://...", or a bare address. */
    private static final Pattern ADVICE = Pattern.compile("\\s*(?:See\\s+)?https?://\\S+");

    private ErrorMessages() {}

    /** The message for {@code t}, one line, no class names. */
    static String of(Throwable t) {
        Throwable e = unwrap(t);
        String m = switch (e) {
            case NoSuchFileException f -> "no such file: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case FileAlreadyExistsException f -> "already exists: " + f.getFile();
            case NotDirectoryException f -> "not a folder: " + f.getFile();
            case DirectoryNotEmptyException f -> "folder not empty: " + f.getFile();
            case FileSystemException f ->
                f.getFile()
                        + (f.getReason() == null ? "" : ": " + f.getReason())
                        + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
            case StackOverflowError s -> "the input is nested too deeply to process";
            default -> e.getMessage();
        };
        if (m == null || m.isBlank()) {
            m = "unexpected failure (" + words(e.getClass().getSimpleName()) + "): this is a bug in embed4j";
        }
        m = CLASS_PREFIX.matcher(m).replaceAll("");
        m = ADVICE.matcher(m).replaceAll("");
        return Terminal.escape(m.strip().replaceAll("\\s*\\R\\s*", " "));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while (e.getCause() != null && wrapper(e)) { // getCause() is never e itself
            e = e.getCause();
        }
        return e;
    }

    /** Exceptions that only carry their cause: the cause says what happened. */
    private static boolean wrapper(Throwable e) {
        if (e instanceof ExecutionException
                || e instanceof CompletionException
                || e instanceof java.lang.reflect.InvocationTargetException) {
            return true;
        }
        String m = e.getMessage();
        return m == null || m.equals(e.getCause().toString());
    }

    /** "OutOfMemoryError" -> "out of memory error". */
    private static String words(String className) {
        return className.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }
}
