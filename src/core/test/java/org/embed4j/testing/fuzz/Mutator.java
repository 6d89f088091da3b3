package org.embed4j.testing.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The mutations of {@link Fuzzer}: bit flips, interesting bytes, 32- and 64-bit header fields overwritten with
 * boundary values (little- and big-endian, since both kinds of format exist here), truncations, deletions,
 * duplications, splices of two inputs, and for text the replacement of a number by one a reader must refuse or
 * survive ("NaN", "1e39", a count near 2^31). One to four mutations are stacked per input. Deterministic for a given
 * random source; not thread-safe (one per fuzzing run).
 */
final class Mutator {
    /** Bytes past which a mutation is as likely as anywhere: the headers of the binary formats are 128 bytes. */
    private static final int HEADER = 128;

    private static final byte[] BYTES = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, '\n', '\r', ' ', '\t', '0', '9', '-', '.'
    };
    private static final long[] LONGS = {
        0,
        1,
        -1,
        2,
        7,
        8,
        63,
        64,
        127,
        128,
        255,
        4096,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        Integer.MAX_VALUE - 8,
        1L << 31,
        1L << 32,
        (1L << 32) - 1,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        536_870_911,
        1 << 20,
        (1 << 20) + 1,
        100_000_000L,
        0x7fc00000L /* NaN bits */,
        0x7f800000L /* +Inf bits */,
        0xff800000L
    };
    private static final List<String> NUMBERS = List.of(
            "NaN",
            "Infinity",
            "-Infinity",
            "1e39",
            "-1e39",
            "3.4e38",
            "1e-50",
            "-0",
            "0",
            "-1",
            "1",
            "2147483647",
            "2147483648",
            "536870911",
            "1048576",
            "99999999999999999999",
            "0x10",
            "1e",
            ".",
            "-",
            "+1",
            "1.5e+308",
            "\u00ff");

    private final SplittableRandom random;

    Mutator(SplittableRandom random) {
        this.random = random;
    }

    /** A mutant of {@code input}; {@code other} is a second input for splices. */
    byte[] mutate(byte[] input, byte[] other) {
        byte[] b = input;
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = once(b, other);
        }
        return b;
    }

    private byte[] once(byte[] b, byte[] other) {
        if (b.length == 0) {
            return new byte[] {BYTES[random.nextInt(BYTES.length)]};
        }
        return switch (random.nextInt(11)) {
            case 0 -> flipBit(b);
            case 1 -> setByte(b);
            case 2, 3 -> putField(b);
            case 4 -> Arrays.copyOf(b, random.nextInt(b.length)); // truncate
            case 5 -> delete(b);
            case 6 -> duplicate(b);
            case 7 -> splice(b, other);
            case 8, 9 -> number(b);
            default -> insert(b);
        };
    }

    /** An offset, half the time within the header. */
    private int offset(int length) {
        return random.nextBoolean() ? random.nextInt(Math.min(length, HEADER)) : random.nextInt(length);
    }

    private byte[] flipBit(byte[] b) {
        byte[] c = b.clone();
        c[offset(c.length)] ^= (byte) (1 << random.nextInt(8));
        return c;
    }

    private byte[] setByte(byte[] b) {
        byte[] c = b.clone();
        c[offset(c.length)] = BYTES[random.nextInt(BYTES.length)];
        return c;
    }

    /** A 4- or 8-byte field at an aligned offset set to a boundary value, or to the input's size plus or minus a bit. */
    private byte[] putField(byte[] b) {
        int width = random.nextBoolean() ? 4 : 8;
        if (b.length < width) {
            return b;
        }
        byte[] c = b.clone();
        int at = offset(c.length - width + 1) / 4 * 4;
        long v = random.nextInt(4) == 0 ? c.length + random.nextInt(-9, 10) : LONGS[random.nextInt(LONGS.length)];
        ByteBuffer buf =
                ByteBuffer.wrap(c).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (width == 4) {
            buf.putInt(at, (int) v);
        } else {
            buf.putLong(at, v);
        }
        return c;
    }

    private byte[] delete(byte[] b) {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(64, b.length - from));
        byte[] c = new byte[b.length - len];
        System.arraycopy(b, 0, c, 0, from);
        System.arraycopy(b, from + len, c, from, b.length - from - len);
        return c;
    }

    private byte[] duplicate(byte[] b) {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(256, b.length - from));
        int to = random.nextInt(b.length + 1);
        return insertAt(b, to, Arrays.copyOfRange(b, from, from + len));
    }

    private byte[] insert(byte[] b) {
        byte[] ins = new byte[1 + random.nextInt(8)];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = random.nextBoolean() ? BYTES[random.nextInt(BYTES.length)] : (byte) random.nextInt(256);
        }
        return insertAt(b, offset(b.length + 1), ins);
    }

    private byte[] splice(byte[] b, byte[] other) {
        if (other == null || other.length == 0) {
            return b;
        }
        int cut = random.nextInt(b.length + 1);
        int from = random.nextInt(other.length);
        byte[] c = Arrays.copyOf(b, cut + other.length - from);
        System.arraycopy(other, from, c, cut, other.length - from);
        return c;
    }

    /** Replaces a run of ASCII digits (with sign, point and exponent) by one of {@link #NUMBERS}. */
    private byte[] number(byte[] b) {
        int start = random.nextInt(b.length);
        int tries = 0;
        while (!isNumberByte(b[start]) && tries++ < 64) {
            start = random.nextInt(b.length);
        }
        if (!isNumberByte(b[start])) {
            return setByte(b);
        }
        while (start > 0 && isNumberByte(b[start - 1])) {
            start--;
        }
        int end = start;
        while (end < b.length && isNumberByte(b[end])) {
            end++;
        }
        byte[] with = NUMBERS.get(random.nextInt(NUMBERS.size())).getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[b.length - (end - start) + with.length];
        System.arraycopy(b, 0, c, 0, start);
        System.arraycopy(with, 0, c, start, with.length);
        System.arraycopy(b, end, c, start + with.length, b.length - end);
        return c;
    }

    private static boolean isNumberByte(byte x) {
        return (x >= '0' && x <= '9') || x == '-' || x == '.' || x == 'e' || x == 'E' || x == '+';
    }

    private static byte[] insertAt(byte[] b, int at, byte[] ins) {
        byte[] c = new byte[b.length + ins.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(ins, 0, c, at, ins.length);
        System.arraycopy(b, at, c, at + ins.length, b.length - at);
        return c;
    }
}
