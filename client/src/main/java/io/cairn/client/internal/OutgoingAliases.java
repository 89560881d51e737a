package io.cairn.client.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's Topic Aliases towards the server on one connection (MQTT 5.0 §3.3.2.3.4), and the policy that
 * hands them out: a topic gets an alias on its second use (a topic published once costs nothing), the alias is
 * sent with the full topic once and alone after that, and when all aliases up to the server's Topic Alias Maximum
 * are taken, the least recently used one is reassigned. Topics shorter than {@value #MIN_TOPIC_BYTES} bytes are
 * never aliased: the alias would not save a byte. A new instance per connection, because mappings never carry
 * over (MQTT-3.3.2-7). Confined to the event loop.
 */
final class OutgoingAliases {

    /** Aliases save bytes only from this topic length on (an alias costs 3 bytes, an empty topic 2). */
    static final int MIN_TOPIC_BYTES = 4;

    private final int maximum;
    private final int seenLimit;
    /** topic → alias, least recently used first. */
    private final LinkedHashMap<String, Integer> aliases = new LinkedHashMap<>(16, 0.75f, true);
    /** topics used once, not aliased yet, least recently used first; bounded. */
    private final LinkedHashMap<String, Boolean> seen;
    private int nextFree = 1;

    /** Aliases from 1 to {@code maximum}, the server's Topic Alias Maximum (at least 1). */
    OutgoingAliases(int maximum) {
        this.maximum = maximum;
        this.seenLimit = Math.min(4096, Math.max(64, 4 * maximum));
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > seenLimit;
            }
        };
    }

    /**
     * The alias to send with {@code topic}: positive if the mapping exists already (send an empty topic),
     * negative if it is new (send the full topic with it), 0 for none (send the full topic alone).
     *
     * @param topicBytes  the UTF-8 length of the topic
     * @param mayAddAlias whether a new mapping's 3 bytes still fit the server's Maximum Packet Size
     */
    int aliasFor(String topic, int topicBytes, boolean mayAddAlias) {
        if (topicBytes < MIN_TOPIC_BYTES) {
            return 0;
        }
        Integer existing = aliases.get(topic);
        if (existing != null) {
            return existing;
        }
        if (seen.remove(topic) == null || !mayAddAlias) {
            seen.put(topic, Boolean.TRUE);
            return 0;
        }
        int alias;
        if (nextFree <= maximum) {
            alias = nextFree++;
        } else {
            Iterator<Map.Entry<String, Integer>> eldest = aliases.entrySet().iterator();
            alias = eldest.next().getValue();
            eldest.remove();
        }
        aliases.put(topic, alias);
        return -alias;
    }

    int maximum() {
        return maximum;
    }
}
