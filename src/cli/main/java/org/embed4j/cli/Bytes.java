package org.embed4j.cli;

import java.util.Locale;

/** Byte counts for people: "1.2 GB", "800 MB", "12 KB" (decimal units). Stateless. */
final class Bytes {
    private Bytes() {}

    static String of(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        } else if (bytes >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
        } else if (bytes >= 1_000L) {
            return String.format(Locale.ROOT, "%.0f KB", bytes / 1e3);
        }
        return bytes + " bytes";
    }
}
