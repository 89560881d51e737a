package io.cairn.auth.file.internal;

import java.nio.charset.StandardCharsets;

/** Checks MQTT topic filters as ACL rules use them (MQTT 5.0 §4.7). */
final class Filters {

    private Filters() {
    }

    /**
     * Why {@code filter} is not a valid topic filter, or {@code null} when it is: not empty, {@code #} only as the
     * whole last level, {@code +} only as a whole level, no U+0000, at most 65,535 bytes of UTF-8.
     */
    static String problem(String filter) {
        if (filter.isEmpty()) {
            return "empty topic filter";
        }
        if (filter.indexOf('\u0000') >= 0) {
            return "topic filter '" + filter + "' contains U+0000";
        }
        if (filter.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            return "topic filter longer than 65535 bytes";
        }
        int start = 0;
        while (true) {
            int end = filter.indexOf('/', start);
            int levelEnd = end < 0 ? filter.length() : end;
            for (int i = start; i < levelEnd; i++) {
                char c = filter.charAt(i);
                if (c == '#') {
                    if (i != start || levelEnd != i + 1) {
                        return "'#' must be a whole level in topic filter '" + filter + "'";
                    }
                    if (end >= 0) {
                        return "'#' must be the last level in topic filter '" + filter + "'";
                    }
                } else if (c == '+' && (i != start || levelEnd != i + 1)) {
                    return "'+' must be a whole level in topic filter '" + filter + "'";
                }
            }
            if (end < 0) {
                return null;
            }
            start = end + 1;
        }
    }

    /** Whether {@code s} contains an MQTT wildcard character. */
    static boolean hasWildcard(String s) {
        return s.indexOf('+') >= 0 || s.indexOf('#') >= 0;
    }

    /**
     * The filter a shared subscription applies ({@code $share/group/sport/#} gives {@code sport/#}); any other
     * filter unchanged.
     */
    static String unshared(String filter) {
        if (filter.startsWith("$share/")) {
            int slash = filter.indexOf('/', "$share/".length());
            if (slash > 0) {
                return filter.substring(slash + 1);
            }
        }
        return filter;
    }
}
