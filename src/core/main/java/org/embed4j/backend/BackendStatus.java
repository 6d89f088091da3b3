package org.embed4j.backend;

import java.util.Objects;

/**
 * Whether one backend works in this process and why: for available ones what it runs on (CPU features,
 * library path and version, threads), for unavailable ones the reason its constructor gave. Immutable.
 *
 * @param name      "java", "cpu" or "cuda"
 * @param available whether {@link Backends#get(String)} returns it
 * @param detail    what it runs on, or why it is unavailable
 */
public record BackendStatus(String name, boolean available, String detail) {
    public BackendStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }
}
