package io.cairn.kernel.routing;

import java.util.Random;

/**
 * Random topic names and filters over a small alphabet of levels, so that random pairs match often enough to
 * exercise every rule: empty levels, '$' levels and non-ASCII levels included.
 */
final class RandomTopics {

    private static final String[] LEVELS = {"a", "b", "c", "ab", "", "$x", "$SYS", "\u00e9", "\ud83c\udfbe"};

    private RandomTopics() {
    }

    /** A valid topic name of one to five levels. */
    static String topic(Random random) {
        int levels = 1 + random.nextInt(5);
        StringBuilder topic = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                topic.append('/');
            }
            topic.append(LEVELS[random.nextInt(LEVELS.length)]);
        }
        // a single empty level is not a topic; "/" (two empty levels) is
        return topic.isEmpty() ? "/" : topic.toString();
    }

    /** A valid topic filter of one to five levels; about one level in five is '+', one filter in six ends in '#'. */
    static String filter(Random random) {
        int levels = 1 + random.nextInt(5);
        StringBuilder filter = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                filter.append('/');
            }
            if (i == levels - 1 && random.nextInt(6) == 0) {
                filter.append('#');
            } else if (random.nextInt(5) == 0) {
                filter.append('+');
            } else {
                filter.append(LEVELS[random.nextInt(LEVELS.length)]);
            }
        }
        return filter.isEmpty() ? "/" : filter.toString();
    }
}
