package org.embed4j.cli.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the shrinking commands find their benchmarks: WS353 word pairs ({@code wordsim353.tsv}) and Google's
 * analogies ({@code questions-words.txt}). Searched in order: the explicit paths, {@code data/eval} of the
 * repository (copies shipped for a fresh machine), {@code <embed4j.shared.data>/eval} (system property) or
 * {@code $EMBED4J_SHARED_DATA/eval}, then {@code ../shared/data/eval}. A file found nowhere is null and its
 * score is skipped. Immutable.
 */
public record EvalFiles(Path similarity, Path analogy) {

    /** The files, {@code similarity} and {@code analogy} overriding the search when not null. */
    public static EvalFiles locate(Path similarity, Path analogy) {
        return new EvalFiles(
                similarity != null ? similarity : find("wordsim353.tsv"),
                analogy != null ? analogy : find("questions-words.txt"));
    }

    private static Path find(String name) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Path.of("data", "eval"));
        String prop = System.getProperty("embed4j.shared.data");
        if (prop != null) {
            dirs.add(Path.of(prop, "eval"));
        }
        String env = System.getenv("EMBED4J_SHARED_DATA");
        if (env != null) {
            dirs.add(Path.of(env, "eval"));
        }
        dirs.add(Path.of("..", "shared", "data", "eval"));
        for (Path d : dirs) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
