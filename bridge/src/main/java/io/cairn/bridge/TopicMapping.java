package io.cairn.bridge;

import io.cairn.client.Qos;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One topic mapping of a bridge, in the form Mosquitto's {@code topic} option uses:
 * {@code pattern [direction [qos [local-prefix remote-prefix]]]}. The bridge subscribes to
 * {@code local-prefix + pattern} on this broker (direction {@code out} or {@code both}) and to
 * {@code remote-prefix + pattern} on the remote one ({@code in} or {@code both}); a forwarded message's topic gets
 * the other side's prefix in place of its own. For example {@code sensors/# out 1 site1/ edge/site1/} sends what is
 * published to {@code site1/sensors/temp} here to {@code edge/site1/sensors/temp} upstream, at QoS 1 at most.
 *
 * @param pattern      the topic filter without prefix, for example {@code sensors/#}
 * @param direction    which way messages go
 * @param qos          the highest QoS of the bridge's subscriptions, hence of the forwarded messages
 * @param localPrefix  prefixed to {@code pattern} on this broker; empty for none
 * @param remotePrefix prefixed to {@code pattern} on the remote broker; empty for none
 */
public record TopicMapping(String pattern, Direction direction, Qos qos, String localPrefix, String remotePrefix) {

    public TopicMapping {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(localPrefix, "localPrefix");
        Objects.requireNonNull(remotePrefix, "remotePrefix");
        for (String prefix : List.of(localPrefix, remotePrefix)) {
            if (prefix.contains("#") || prefix.contains("+")) {
                throw new IllegalArgumentException("prefix '" + prefix + "' contains a wildcard");
            }
        }
        String problem = Filters.problem(localPrefix + pattern);
        if (problem == null) {
            problem = Filters.problem(remotePrefix + pattern);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Reads a mapping: {@code pattern [in|out|both [0|1|2 [local-prefix remote-prefix]]]}, separated by white
     * space; {@code ""} stands for an empty prefix. Direction defaults to {@code out}, QoS to 0.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static TopicMapping parse(String text) {
        List<String> words = words(text);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("is empty; expected: pattern [in|out|both [qos [local-prefix "
                    + "remote-prefix]]]");
        }
        if (words.size() == 4 || words.size() > 5) {
            throw new IllegalArgumentException("has " + words.size() + " parts; expected: pattern [in|out|both [qos"
                    + " [local-prefix remote-prefix]]] (give both prefixes, \"\" for none)");
        }
        Direction direction = Direction.OUT;
        if (words.size() > 1) {
            direction = switch (words.get(1)) {
                case "in" -> Direction.IN;
                case "out" -> Direction.OUT;
                case "both" -> Direction.BOTH;
                default -> throw new IllegalArgumentException("direction '" + words.get(1)
                        + "' is not in, out or both");
            };
        }
        Qos qos = Qos.AT_MOST_ONCE;
        if (words.size() > 2) {
            qos = switch (words.get(2)) {
                case "0" -> Qos.AT_MOST_ONCE;
                case "1" -> Qos.AT_LEAST_ONCE;
                case "2" -> Qos.EXACTLY_ONCE;
                default -> throw new IllegalArgumentException("QoS '" + words.get(2) + "' is not 0, 1 or 2");
            };
        }
        String local = words.size() > 3 ? words.get(3) : "";
        String remote = words.size() > 3 ? words.get(4) : "";
        return new TopicMapping(words.get(0), direction, qos, local, remote);
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w.equals("\"\"") ? "" : w);
            }
        }
        return words;
    }

    /** The bridge's subscription on this broker. */
    public String localFilter() {
        return localPrefix + pattern;
    }

    /** The bridge's subscription on the remote broker. */
    public String remoteFilter() {
        return remotePrefix + pattern;
    }

    /** Whether a message published here to {@code localTopic} goes out through this mapping. */
    boolean sendsOut(String localTopic) {
        return direction.forwardsOut() && Filters.matches(localFilter(), localTopic);
    }

    /** Whether a message from the remote on {@code remoteTopic} comes in through this mapping. */
    boolean takesIn(String remoteTopic) {
        return direction.forwardsIn() && Filters.matches(remoteFilter(), remoteTopic);
    }

    /** The remote topic of a message published here to {@code localTopic} (which {@link #sendsOut}). */
    String toRemote(String localTopic) {
        return remotePrefix + localTopic.substring(localPrefix.length());
    }

    /** The local topic of a message from the remote on {@code remoteTopic} (which {@link #takesIn}). */
    String toLocal(String remoteTopic) {
        return localPrefix + remoteTopic.substring(remotePrefix.length());
    }

    @Override
    public String toString() {
        return pattern + ' ' + direction.name().toLowerCase(Locale.ROOT) + ' ' + qos.value() + ' '
                + quoted(localPrefix) + ' ' + quoted(remotePrefix);
    }

    private static String quoted(String prefix) {
        return prefix.isEmpty() ? "\"\"" : prefix;
    }
}
