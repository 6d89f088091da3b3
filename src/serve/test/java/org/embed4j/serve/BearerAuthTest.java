package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Authorization header check: scheme case-insensitive, token exact (no prefix or extension passes). */
class BearerAuthTest {
    @Test
    void bearerAuthComparesTokens() {
        BearerAuth off = new BearerAuth(null);
        assertTrue(off.allows(null));
        BearerAuth on = new BearerAuth("abc");
        assertTrue(on.allows("Bearer abc"));
        assertTrue(on.allows("bearer  abc "));
        assertFalse(on.allows("Bearer abcd"));
        assertFalse(on.allows("Bearer ab"));
        assertFalse(on.allows("Bearer "));
        assertFalse(on.allows("abc"));
        assertFalse(on.allows(null));
    }
}
