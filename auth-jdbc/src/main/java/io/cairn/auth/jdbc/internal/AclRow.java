package io.cairn.auth.jdbc.internal;

import java.util.Locale;
import java.util.Objects;

/**
 * One row of a user's ACL as the ACL query returned it: a topic filter and an access word.
 *
 * @param filter the topic filter, possibly with {@code +}, {@code #}, {@code %u} and {@code %c}
 * @param access {@code read}, {@code write}, {@code readwrite} or {@code deny} (case-insensitive); any other
 *               word is taken as {@code deny}, so that a typo never grants access
 */
record AclRow(String filter, String access) {

    AclRow {
        Objects.requireNonNull(filter, "filter");
        access = access == null ? "" : access.strip().toLowerCase(Locale.ROOT);
    }

    /** Whether {@link #access()} is one of the four known words. */
    boolean knownAccess() {
        return switch (access) {
            case "read", "write", "readwrite", "deny" -> true;
            default -> false;
        };
    }

    /** The {@link AclIndex} bits the row grants or denies. */
    int bits() {
        return switch (access) {
            case "read" -> AclIndex.READ;
            case "write" -> AclIndex.WRITE;
            case "readwrite" -> AclIndex.READ | AclIndex.WRITE;
            default -> AclIndex.DENY;
        };
    }

    /**
     * Whether {@code filter} is a valid MQTT topic filter: not empty, {@code +} and {@code #} alone in their level,
     * {@code #} only last.
     */
    static boolean validFilter(String filter) {
        if (filter == null || filter.isEmpty()) {
            return false;
        }
        int start = 0;
        while (true) {
            int slash = filter.indexOf('/', start);
            int end = slash < 0 ? filter.length() : slash;
            for (int i = start; i < end; i++) {
                char c = filter.charAt(i);
                if ((c == '+' || c == '#') && end - start != 1) {
                    return false;
                }
                if (c == '#' && end != filter.length()) {
                    return false;
                }
                if (c == '\u0000') {
                    return false;
                }
            }
            if (slash < 0) {
                return true;
            }
            start = slash + 1;
        }
    }
}
