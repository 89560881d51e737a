package io.cairn.client.internal;

/**
 * Topic names and filters: local validation before anything is sent, and the client-side match of a received
 * topic against a subscribed filter. Allocates nothing.
 */
public final class Topics {

    /** The largest UTF-8 length of a topic name or filter (a two-byte length prefix). */
    public static final int MAX_LENGTH = 65535;

    private static final String SHARE_PREFIX = "$share/";

    private Topics() {
    }

    /**
     * Checks a topic name for PUBLISH.
     *
     * @throws IllegalArgumentException naming the problem, if the name is empty, contains a wildcard or NUL, is
     *                                  not well-formed UTF-16 (so not encodable as UTF-8) or longer than 65535
     *                                  UTF-8 bytes
     */
    public static void requireValidTopicName(String topic) {
        if (topic == null) {
            throw new IllegalArgumentException("topic name must not be null");
        }
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic name must not be empty");
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#') {
                throw new IllegalArgumentException("topic name must not contain the wildcard '" + c + "': " + topic);
            }
        }
        checkCommon("topic name", topic);
    }

    /**
     * Checks a topic filter for SUBSCRIBE or UNSUBSCRIBE.
     *
     * @throws IllegalArgumentException naming the problem, if the filter is empty, has a wildcard that is not a
     *                                  whole level ({@code #} also only last), contains NUL, is not well-formed or
     *                                  longer than 65535 UTF-8 bytes
     */
    public static void requireValidFilter(String filter) {
        if (filter == null) {
            throw new IllegalArgumentException("topic filter must not be null");
        }
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("topic filter must not be empty");
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == n - 1 || filter.charAt(i + 1) == '/';
            if (c == '#' && (!levelStart || i != n - 1)) {
                throw new IllegalArgumentException("'#' must be a whole level and the last one: " + filter);
            }
            if (c == '+' && (!levelStart || !levelEnd)) {
                throw new IllegalArgumentException("'+' must be a whole level: " + filter);
            }
        }
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash <= SHARE_PREFIX.length() || slash == n - 1) {
                throw new IllegalArgumentException("a shared subscription is $share/<group>/<filter>: " + filter);
            }
        }
        checkCommon("topic filter", filter);
    }

    /**
     * Checks an MQTT UTF-8 string other than a topic (a property value).
     *
     * @throws IllegalArgumentException naming {@code what}, if it contains NUL, is not well-formed UTF-16 or is
     *                                  longer than 65535 UTF-8 bytes (MQTT-1.5.4-1, -2)
     */
    public static void requireMqttString(String s, String what) {
        checkCommon(what, s);
    }

    /** The number of bytes of {@code s} in UTF-8, for a well-formed string. */
    public static int utf8Length(String s) {
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void checkCommon(String what, String s) {
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(what + " must not contain the NUL character");
            }
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException(what + " is not valid UTF-16: unpaired surrogate at " + i);
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(what + " is not valid UTF-16: unpaired surrogate at " + i);
            } else {
                bytes += 3;
            }
        }
        if (bytes > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " is " + bytes + " UTF-8 bytes long, more than " + MAX_LENGTH);
        }
    }

    /** Whether {@code filter} is a plain topic name, without wildcards (after any {@code $share/group/}). */
    static boolean isExact(String matchFilter) {
        return matchFilter.indexOf('+') < 0 && matchFilter.indexOf('#') < 0;
    }

    /** The part of a filter that topics are matched against: without {@code $share/<group>/}. */
    static String matchPart(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            return filter.substring(filter.indexOf('/', SHARE_PREFIX.length()) + 1);
        }
        return filter;
    }

    /**
     * Whether a topic name matches a valid filter: {@code +} matches one level, {@code #} the rest including
     * the parent level, and topics starting with {@code $} are not matched by a leading wildcard.
     */
    public static boolean matches(String filter, String topic) {
        int fl = filter.length();
        int tl = topic.length();
        if (tl > 0 && topic.charAt(0) == '$' && fl > 0 && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int fi = 0;
        int ti = 0;
        while (fi < fl) {
            char c = filter.charAt(fi);
            if (c == '#') {
                return true;
            }
            if (c == '+') {
                while (ti < tl && topic.charAt(ti) != '/') {
                    ti++;
                }
                fi++;
                continue;
            }
            if (ti >= tl || topic.charAt(ti) != c) {
                // "a/#" also matches "a"
                return ti == tl && c == '/' && fi + 2 == fl && filter.charAt(fi + 1) == '#';
            }
            fi++;
            ti++;
        }
        return ti == tl;
    }
}
