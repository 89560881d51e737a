package io.cairn.bridge;

/** MQTT topic filter syntax and matching (MQTT 5.0 §4.7), for a bridge's mappings. */
final class Filters {

    private Filters() {
    }

    /** What is wrong with {@code filter} as an MQTT topic filter, or {@code null}. */
    static String problem(String filter) {
        if (filter.isEmpty()) {
            return "topic filter is empty";
        }
        if (filter.indexOf('\u0000') >= 0) {
            return "topic filter '" + filter + "' contains U+0000";
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "topic filter '" + filter + "': # must be a whole level and the last one";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "topic filter '" + filter + "': + must be a whole level";
            }
        }
        return null;
    }

    /** Whether {@code topic} matches {@code filter}; a wildcard first level does not match {@code $} topics. */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fl = filter.length();
        int tl = topic.length();
        while (true) {
            int fEnd = filter.indexOf('/', f);
            if (fEnd < 0) {
                fEnd = fl;
            }
            String level = filter.substring(f, fEnd);
            if (level.equals("#")) {
                return true; // also matches the parent level: a/# matches a
            }
            if (t > tl) {
                return false;
            }
            int tEnd = topic.indexOf('/', t);
            if (tEnd < 0) {
                tEnd = tl;
            }
            if (!level.equals("+") && !level.equals(topic.substring(t, tEnd))) {
                return false;
            }
            f = fEnd + 1;
            t = tEnd + 1;
            if (f > fl) {
                return t > tl;
            }
            if (t > tl) {
                // the topic ended; only a final "#" matches on
                return filter.substring(f).equals("#");
            }
        }
    }
}
