package org.embed4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic corpus for word-vector tests: lines of ten words, each drawn from one of four topics (fruit,
 * vehicles, colours, animals) or, one time in three, from a few function words. Words of a topic share contexts, so
 * a trained model must rank them as each other's neighbours.
 */
public final class TopicCorpus {
    public static final List<String> TOPICS = List.of(
            "apple pear plum grape melon cherry lemon mango",
            "car bus train truck plane ship bike tram",
            "red blue green yellow purple orange pink brown",
            "dog cat horse cow sheep goat pig duck");

    private TopicCorpus() {}

    /** Writes {@code lines} lines drawn with {@code seed} to {@code file} and returns it. */
    public static Path write(Path file, int lines, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        String[] fn = {"the", "a", "and", "of", "with", "is"};
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < lines; s++) {
            String[] topic = TOPICS.get(r.nextInt(TOPICS.size())).split(" ");
            for (int i = 0; i < 10; i++) {
                sb.append(r.nextInt(3) == 0 ? fn[r.nextInt(fn.length)] : topic[r.nextInt(topic.length)])
                        .append(' ');
            }
            sb.append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.writeString(file, sb.toString());
    }
}
