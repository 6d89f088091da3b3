package org.embed4j.internal.hash;

import java.nio.charset.StandardCharsets;

/**
 * The FNV-1a hashes of embed4j, in one place: fastText's 32-bit variant, which keys words, word n-grams and
 * character n-gram buckets so that rows line up with fastText's models, and the standard 64-bit one, which keys the
 * word table of the native vectors file.
 *
 * <p>fastText's {@code Dictionary::hash} XORs each UTF-8 byte in sign-extended ({@code uint32_t(int8_t(c))}): equal to
 * FNV-1a on ASCII, different for bytes &ge; 0x80, and kept that way on purpose. The 64-bit hash XORs the bytes
 * unsigned, as FNV-1a is defined. Stateless; thread-safe.
 */
public final class Fnv1a {
    /** The 32-bit offset basis (2166136261); a hash computed step by step starts from it. */
    public static final int BASIS_32 = 0x811C9DC5;

    /** The 64-bit offset basis; a hash computed step by step starts from it. */
    public static final long BASIS_64 = 0xcbf29ce484222325L;

    private static final int PRIME_32 = 0x01000193; // 16777619

    private static final long PRIME_64 = 0x100000001b3L;

    private Fnv1a() {}

    /** One step of fastText's hash: XOR the byte in sign-extended, multiply by the prime. */
    public static int fastTextStep(int h, byte b) {
        return (h ^ b) * PRIME_32;
    }

    /** fastText's 32-bit hash of the UTF-8 bytes of {@code s}. */
    public static int fastText(String s) {
        int h = BASIS_32;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = fastTextStep(h, b);
        }
        return h;
    }

    /**
     * {@link #fastText(String)} of {@code s[start, end)}, computed from the chars: the bytes are those that
     * {@code String.getBytes(UTF_8)} gives for that range (an unpaired surrogate encodes as '?'), without encoding the
     * range into a new array.
     */
    public static int fastText(char[] s, int start, int end) {
        int h = BASIS_32;
        for (int i = start; i < end; i++) {
            char c = s[i];
            if (c < 0x80) {
                h = fastTextStep(h, (byte) c);
            } else if (c < 0x800) {
                h = fastTextStep(h, (byte) (0xC0 | (c >>> 6)));
                h = fastTextStep(h, (byte) (0x80 | (c & 0x3F)));
            } else if (!Character.isSurrogate(c)) {
                h = fastTextStep(h, (byte) (0xE0 | (c >>> 12)));
                h = fastTextStep(h, (byte) (0x80 | ((c >>> 6) & 0x3F)));
                h = fastTextStep(h, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
                int cp = Character.toCodePoint(c, s[++i]);
                h = fastTextStep(h, (byte) (0xF0 | (cp >>> 18)));
                h = fastTextStep(h, (byte) (0x80 | ((cp >>> 12) & 0x3F)));
                h = fastTextStep(h, (byte) (0x80 | ((cp >>> 6) & 0x3F)));
                h = fastTextStep(h, (byte) (0x80 | (cp & 0x3F)));
            } else {
                h = fastTextStep(h, (byte) '?'); // what the UTF-8 encoder substitutes for an unpaired surrogate
            }
        }
        return h;
    }

    /** The standard 64-bit FNV-1a of {@code bytes}. */
    public static long hash64(byte[] bytes) {
        return hash64(bytes, bytes.length);
    }

    /** The standard 64-bit FNV-1a of {@code bytes[0, length)}. */
    public static long hash64(byte[] bytes, int length) {
        long h = BASIS_64;
        for (int i = 0; i < length; i++) {
            h = step64(h, bytes[i] & 0xff);
        }
        return h;
    }

    /**
     * One step of the 64-bit hash: XOR {@code unit} in, multiply by the prime. A byte is passed as 0..255; callers
     * that hash wider units (a char) or a separator value pass those as they are.
     */
    public static long step64(long h, long unit) {
        return (h ^ unit) * PRIME_64;
    }
}
