package org.embed4j.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where test inputs are: the repository root (Surefire passes {@code embed4j.repo.root}; tests run in their module's
 * folder) and class-path resources as files, copied out of the test jar when another module's tests read them.
 */
public final class TestFiles {
    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private TestFiles() {}

    /** The repository root. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("embed4j.repo.root", "."))
                .toAbsolutePath()
                .normalize();
    }

    /** A class-path resource ("/classify/sms-300.tsv") as a file; resources inside a jar are copied out once. */
    public static Path resource(String name) {
        URL url = TestFiles.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(url.toString(), e);
            }
        }
        return EXTRACTED.computeIfAbsent(name, n -> extract(url, n));
    }

    private static Path extract(URL url, String name) {
        try (InputStream in = url.openStream()) {
            Path dir = Files.createTempDirectory("embed4j-test-resources");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(Path.of(name).getFileName().toString());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy test resource " + name + ": " + e.getMessage(), e);
        }
    }
}
