package io.cairn.kernel.delivery;

import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.routing.TopicTree;
import io.cairn.kernel.routing.Topics;
import io.cairn.kernel.session.Session;
import java.util.HashMap;
import java.util.Map;

/**
 * The index of shared subscriptions ({@code $share/{ShareName}/{filter}}, MQTT 5.0 §4.8.2, offered to MQTT 3.1.1
 * clients too): one {@link SharedGroup} per Share Name and filter, found for a topic by the same level tree as
 * ordinary subscriptions. Thread-safe; {@link #match} takes no lock.
 */
public final class SharedSubscriptions {

    /** The prefix that makes a topic filter a shared subscription. */
    public static final String PREFIX = "$share/";

    private final TopicTree<String, SharedGroup> tree = new TopicTree<>();
    private final Map<String, SharedGroup> groups = new HashMap<>(); // by full filter, under its own lock
    private volatile int memberships;

    /** Whether {@code topicFilter} names a shared subscription (it may still be invalid). */
    public static boolean isShared(String topicFilter) {
        return topicFilter.startsWith(PREFIX);
    }

    /**
     * Why the shared subscription filter {@code topicFilter} is invalid (MQTT-4.8.2-1, MQTT-4.8.2-2), or
     * {@code null}; the filter after the Share Name is checked as any topic filter.
     */
    public static String problem(String topicFilter, int maxBytes, int maxLevels) {
        int slash = topicFilter.indexOf('/', PREFIX.length());
        if (slash < 0) {
            return "a shared subscription needs '/' and a topic filter after its Share Name [MQTT-4.8.2-2]";
        }
        if (slash == PREFIX.length()) {
            return "the Share Name of a shared subscription is empty [MQTT-4.8.2-1]";
        }
        for (int i = PREFIX.length(); i < slash; i++) {
            char ch = topicFilter.charAt(i);
            if (ch == Topics.SINGLE_LEVEL || ch == Topics.MULTI_LEVEL) {
                return "the Share Name contains '" + ch + "' [MQTT-4.8.2-2]";
            }
        }
        if (slash == topicFilter.length() - 1) {
            return "a shared subscription has no topic filter after its Share Name [MQTT-4.8.2-2]";
        }
        return Topics.validateTopicFilter(topicFilter.substring(slash + 1), maxBytes, maxLevels);
    }

    private static String shareName(String topicFilter) {
        return topicFilter.substring(PREFIX.length(), topicFilter.indexOf('/', PREFIX.length()));
    }

    private static String filter(String topicFilter) {
        return topicFilter.substring(topicFilter.indexOf('/', PREFIX.length()) + 1);
    }

    /** The topic filter of a valid shared subscription filter: what follows {@code $share/<name>/}. */
    public static String filterOf(String topicFilter) {
        return filter(topicFilter);
    }

    /** Adds {@code session} to the group of {@code subscription} (a valid shared filter), creating the group. */
    public void put(Session session, Subscription subscription) {
        String full = subscription.topicFilter();
        synchronized (groups) {
            SharedGroup group = groups.get(full);
            if (group == null) {
                group = new SharedGroup(shareName(full), filter(full));
                groups.put(full, group);
                tree.put(group.filter(), group.name(), group);
            }
            int before = group.size();
            group.put(session, subscription);
            memberships += group.size() - before;
        }
    }

    /** Removes {@code session} from the group of {@code topicFilter}; a group left empty is removed. */
    public void remove(Session session, String topicFilter) {
        synchronized (groups) {
            SharedGroup group = groups.get(topicFilter);
            if (group == null) {
                return;
            }
            int before = group.size();
            if (group.remove(session)) {
                groups.remove(topicFilter);
                tree.remove(group.filter(), group.name());
            }
            memberships -= before - group.size();
        }
    }

    /** Whether there is no shared subscription at all (the router then skips this index). */
    public boolean isEmpty() {
        return tree.isEmpty();
    }

    /** The number of shared subscriptions: members summed over the groups. */
    public int memberships() {
        return memberships;
    }

    /** The number of groups. */
    public int groupCount() {
        return tree.size();
    }

    /** Calls {@code visitor} once for each group whose filter matches {@code topic}. */
    public void match(String topic, TopicTree.MatchVisitor<String, SharedGroup> visitor) {
        tree.match(topic, visitor);
    }
}
