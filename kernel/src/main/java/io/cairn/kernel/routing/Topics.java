package io.cairn.kernel.routing;

/**
 * Validates MQTT topic names and topic filters and matches one against the other (MQTT 3.1.1 §1.5.3 and §4.7).
 *
 * <p>Validation reports the first problem it meets as a short English reason, or {@code null} for a valid string;
 * it allocates nothing for a valid string. Nothing here normalizes or rewrites topic characters
 * [MQTT-4.7.3-4]: two topics match only if their levels are equal character for character.
 */
public final class Topics {

    /** The largest number of UTF-8 bytes a topic name or filter may encode to [MQTT-4.7.3-3]. */
    public static final int MAX_BYTES = 65_535;

    /** The character that separates topic levels. */
    public static final char SEPARATOR = '/';

    /** The single-level wildcard. */
    public static final char SINGLE_LEVEL = '+';

    /** The multi-level wildcard. */
    public static final char MULTI_LEVEL = '#';

    private Topics() {
    }

    /**
     * Checks a topic name as received in a PUBLISH or a will: at least one character, no wildcard, no U+0000,
     * well-formed UTF-16 (so it encodes to well-formed UTF-8), at most {@code min(maxBytes, 65535)} UTF-8 bytes
     * and at most {@code maxLevels} levels. Empty levels ({@code "a//b"}, {@code "/a"}, {@code "a/"}) are valid.
     *
     * <p>Implements [MQTT-4.7.1-1], [MQTT-4.7.3-1], [MQTT-4.7.3-2], [MQTT-4.7.3-3], [MQTT-1.5.3-1],
     * [MQTT-1.5.3-2] and [MQTT-3.3.2-2].
     *
     * @param topic     the topic name; {@code null} is reported as invalid
     * @param maxBytes  the largest UTF-8 length accepted (values above 65535 act as 65535)
     * @param maxLevels the largest number of levels accepted
     * @return {@code null} if the name is valid, otherwise the reason it is not
     * @throws IllegalArgumentException if {@code maxBytes} or {@code maxLevels} is less than 1
     */
    public static String validateTopicName(String topic, int maxBytes, int maxLevels) {
        return validate(topic, maxBytes, maxLevels, false);
    }

    /**
     * Checks a topic filter as received in a SUBSCRIBE or UNSUBSCRIBE: the rules of
     * {@link #validateTopicName(String, int, int)}, except that wildcards are allowed where the specification puts
     * them: {@code '+'} occupies a whole level and {@code '#'} is the whole last level.
     *
     * <p>Implements [MQTT-4.7.1-2], [MQTT-4.7.1-3], [MQTT-4.7.3-1], [MQTT-4.7.3-2], [MQTT-4.7.3-3],
     * [MQTT-1.5.3-1] and [MQTT-1.5.3-2].
     *
     * @param filter    the topic filter; {@code null} is reported as invalid
     * @param maxBytes  the largest UTF-8 length accepted (values above 65535 act as 65535)
     * @param maxLevels the largest number of levels accepted
     * @return {@code null} if the filter is valid, otherwise the reason it is not
     * @throws IllegalArgumentException if {@code maxBytes} or {@code maxLevels} is less than 1
     */
    public static String validateTopicFilter(String filter, int maxBytes, int maxLevels) {
        return validate(filter, maxBytes, maxLevels, true);
    }

    /** Whether {@code filter} has a {@code +} or {@code #} wildcard. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf(SINGLE_LEVEL) >= 0 || filter.indexOf(MULTI_LEVEL) >= 0;
    }

    /**
     * Tells whether a topic filter matches a topic name: {@code '+'} matches exactly one level (an empty one
     * too), {@code '#'} matches any number of levels including none, so {@code "a/#"} matches {@code "a"}, and a
     * filter whose first level is a wildcard does not match a topic that starts with {@code '$'} [MQTT-4.7.2-1].
     *
     * <p>This is the reference matcher, walking both strings once without allocating; the broker routes through
     * {@link TopicTree}. A level counts as a wildcard only when it is exactly {@code "+"} or {@code "#"}, so the
     * answer is defined for every string, but it is meaningful only for a valid filter and topic name.
     *
     * @throws NullPointerException if either argument is {@code null}
     */
    public static boolean matches(String filter, String topic) {
        int filterLength = filter.length();
        int topicLength = topic.length();
        if (topicLength > 0 && topic.charAt(0) == '$' && isWildcardLevel(filter, 0, levelEnd(filter, 0))) {
            return false;
        }
        int f = 0;
        int t = 0;
        while (true) {
            int filterEnd = levelEnd(filter, f);
            if (isLevel(filter, f, filterEnd, MULTI_LEVEL)) {
                return true;
            }
            if (t > topicLength) {
                return false;
            }
            int topicEnd = levelEnd(topic, t);
            if (!isLevel(filter, f, filterEnd, SINGLE_LEVEL)
                    && !regionEquals(filter, f, filterEnd, topic, t, topicEnd)) {
                return false;
            }
            f = filterEnd + 1;
            t = topicEnd + 1;
            if (f > filterLength) {
                return t > topicLength;
            }
        }
    }

    /** The index just past the level that starts at {@code start}: the next separator or the string's end. */
    static int levelEnd(String s, int start) {
        int end = s.indexOf(SEPARATOR, start);
        return end < 0 ? s.length() : end;
    }

    /** Tells whether {@code s[start, end)} is exactly the one character {@code c}. */
    static boolean isLevel(String s, int start, int end, char c) {
        return end - start == 1 && s.charAt(start) == c;
    }

    private static boolean isWildcardLevel(String s, int start, int end) {
        return isLevel(s, start, end, SINGLE_LEVEL) || isLevel(s, start, end, MULTI_LEVEL);
    }

    private static boolean regionEquals(String a, int aStart, int aEnd, String b, int bStart, int bEnd) {
        int length = aEnd - aStart;
        return length == bEnd - bStart && a.regionMatches(aStart, b, bStart, length);
    }

    private static String validate(String s, int maxBytes, int maxLevels, boolean filter) {
        if (maxBytes < 1 || maxLevels < 1) {
            throw new IllegalArgumentException("maxBytes and maxLevels must be at least 1, got " + maxBytes
                    + " and " + maxLevels);
        }
        String what = filter ? "topic filter" : "topic name";
        if (s == null) {
            return what + " is missing";
        }
        int length = s.length();
        if (length == 0) {
            return what + " is empty";
        }
        int byteLimit = Math.min(maxBytes, MAX_BYTES);
        int bytes = 0;
        int levels = 1;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == SEPARATOR) {
                    if (++levels > maxLevels) {
                        return what + " has more than " + maxLevels + " levels";
                    }
                } else if (c == SINGLE_LEVEL || c == MULTI_LEVEL) {
                    String problem = wildcardProblem(s, i, c, filter);
                    if (problem != null) {
                        return what + problem;
                    }
                } else if (c == 0) {
                    return what + " contains U+0000 at index " + i;
                }
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 == length || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return what + " contains an unpaired surrogate at index " + i;
                }
                i++;
                bytes += 4;
            } else if (Character.isLowSurrogate(c)) {
                return what + " contains an unpaired surrogate at index " + i;
            } else {
                bytes += 3;
            }
            if (bytes > byteLimit) {
                return what + " is longer than " + byteLimit + " bytes in UTF-8";
            }
        }
        return null;
    }

    /** The reason a wildcard at {@code index} is misplaced, starting with a space, or {@code null} if it is not. */
    private static String wildcardProblem(String s, int index, char wildcard, boolean filter) {
        if (!filter) {
            return " contains wildcard '" + wildcard + "' at index " + index;
        }
        boolean startsLevel = index == 0 || s.charAt(index - 1) == SEPARATOR;
        boolean last = index + 1 == s.length();
        if (wildcard == MULTI_LEVEL) {
            if (!startsLevel || !last) {
                return " has '#' at index " + index + " that is not the whole last level";
            }
        } else if (!startsLevel || !(last || s.charAt(index + 1) == SEPARATOR)) {
            return " has '+' at index " + index + " that is not a whole level";
        }
        return null;
    }
}
