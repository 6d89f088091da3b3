package org.embed4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary files that writers have open (the hidden files {@link AtomicFiles} renames into place, a metrics log
 * before its rename), deleted when the JVM exits before their writer finished: Ctrl-C (SIGINT), SIGTERM or
 * {@code System.exit} run the shutdown hook that deletes them, so an interrupted run leaves no {@code .tmp} files
 * behind. (SIGKILL runs no hook: such leftovers are hidden and overwritten by the next write of the same file.)
 * Thread-safe.
 */
public final class TempFiles {
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("embed4j-temp-files").unstarted(TempFiles::deleteAll));
    }

    private TempFiles() {}

    /** {@code tmp} is being written: delete it if the JVM exits before {@link #done}. */
    public static void track(Path tmp) {
        OPEN.add(tmp.toAbsolutePath());
    }

    /** {@code tmp} was renamed into place or deleted by its writer. */
    public static void done(Path tmp) {
        OPEN.remove(tmp.toAbsolutePath());
    }

    private static void deleteAll() {
        for (Path p : OPEN) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // the JVM is exiting: nothing else to do about a file that cannot be deleted
            }
        }
    }
}
