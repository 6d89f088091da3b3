package org.embed4j.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an {@code Authorization: Bearer <token>} header against the configured token (RFC 6750).
 * The comparison is constant-time: both sides are hashed with SHA-256 first, so neither the content nor
 * the length of the secret leaks through timing, and {@link MessageDigest#isEqual} compares the digests
 * without an early exit. Immutable and thread-safe.
 */
final class BearerAuth {
    private static final String SCHEME = "bearer ";
    private final byte[] expected; // SHA-256 of the token, or null: auth off

    BearerAuth(String token) {
        this.expected = token == null ? null : sha256(token);
    }

    /** True when auth is off or {@code header} carries the token. */
    boolean allows(String header) {
        if (expected == null) {
            return true;
        }
        if (header == null
                || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = header.substring(SCHEME.length()).strip();
        return MessageDigest.isEqual(expected, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
