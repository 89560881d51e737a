package io.cairn.example.rewrite;

import java.util.ArrayList;
import java.util.List;

/**
 * One rewriting rule: a topic filter with MQTT wildcards ({@code +} one level, {@code #} the rest) and a template
 * for the new topic, in which {@code {1}}, {@code {2}}... stand for the levels the {@code +}s matched, in order,
 * and {@code {#}} for what the {@code #} matched. For example {@code sensors/+/temp} to
 * {@code plant/{1}/temperature} turns {@code sensors/boiler-7/temp} into {@code plant/boiler-7/temperature}.
 */
public final class RewriteRule {

    private final String from;
    private final String to;
    private final String[] levels;

    private RewriteRule(String from, String to) {
        this.from = from;
        this.to = to;
        this.levels = from.split("/", -1);
    }

    /**
     * A rule, checked: {@code from} is a valid filter, {@code to} a valid topic template whose placeholders all have
     * a wildcard to take their value from.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static RewriteRule of(String from, String to) {
        if (from == null || from.isEmpty()) {
            throw new IllegalArgumentException("from: missing (a topic filter, e.g. sensors/+/temp)");
        }
        if (to == null || to.isEmpty()) {
            throw new IllegalArgumentException("to: missing (a topic template, e.g. plant/{1}/temperature)");
        }
        String[] levels = from.split("/", -1);
        int plus = 0;
        boolean hash = false;
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                if (i != levels.length - 1) {
                    throw new IllegalArgumentException("from: '" + from + "': # must be the last level");
                }
                hash = true;
            } else if (level.equals("+")) {
                plus++;
            } else if (level.contains("+") || level.contains("#")) {
                throw new IllegalArgumentException("from: '" + from + "': a wildcard must be a whole level");
            }
        }
        if (to.contains("+") || to.contains("#") && !to.contains("{#}")) {
            throw new IllegalArgumentException("to: '" + to + "': a topic has no wildcards (use {1}, {#})");
        }
        for (int i = 1; i <= 9; i++) {
            if (to.contains("{" + i + "}") && i > plus) {
                throw new IllegalArgumentException("to: '" + to + "': {" + i + "} but from has " + plus + " +");
            }
        }
        if (to.contains("{#}") && !hash) {
            throw new IllegalArgumentException("to: '" + to + "': {#} but from has no #");
        }
        return new RewriteRule(from, to);
    }

    /**
     * The new topic for {@code topic}, or {@code null} when the rule does not match it. Called for every message a
     * client publishes: it walks the topic's levels in place and gives up at the first one that differs, so a
     * message the rule does not concern costs a comparison or two and no allocation (an earlier version split the
     * topic into an array first, which was most of what the plugin cost per message).
     */
    public String apply(String topic) {
        if (topic.startsWith("$") && !levels[0].startsWith("$")) {
            return null; // wildcards at the first level do not match $ topics (MQTT-4.7.2-1)
        }
        List<String> plus = null;
        String rest = null;
        int length = topic.length();
        int start = 0; // where the topic's next level begins; past the end once the last level was taken
        for (String level : levels) {
            if (level.equals("#")) {
                // # matches the parent level too (MQTT-4.7.1-2): sensors/# matches sensors
                rest = start <= length ? topic.substring(start) : "";
                break;
            }
            if (start > length) {
                return null; // the topic has fewer levels
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            if (level.equals("+")) {
                if (plus == null) {
                    plus = new ArrayList<>(2);
                }
                plus.add(topic.substring(start, end));
            } else if (level.length() != end - start || !topic.startsWith(level, start)) {
                return null;
            }
            start = end + 1;
        }
        if (rest == null && start <= length) {
            return null; // the topic has more levels
        }
        String result = to;
        for (int p = 0; plus != null && p < plus.size(); p++) {
            result = result.replace("{" + (p + 1) + "}", plus.get(p));
        }
        if (rest != null) {
            // an empty rest (the # matched the parent level) takes its separator with it
            result = rest.isEmpty() ? result.replace("/{#}", "").replace("{#}", "") : result.replace("{#}", rest);
        }
        return result;
    }

    @Override
    public String toString() {
        return from + " -> " + to;
    }
}
