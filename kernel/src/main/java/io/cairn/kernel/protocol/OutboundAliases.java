package io.cairn.kernel.protocol;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topic aliases the server sets towards one MQTT 5 client (MQTT 5.0 §3.3.2.3.4), within the Topic Alias
 * Maximum the client sent in CONNECT (MQTT-3.3.2-11). The policy saves bytes on hot topics and spends none on
 * cold ones:
 * <ul>
 * <li>a topic gets an alias on its second delivery while it is still in the window of recently seen topics
 *     (the last {@code 4 × maximum} distinct topics, at least 64): a topic sent once is sent in full;</li>
 * <li>the first PUBLISH with a new alias carries the topic and the alias, later ones the alias and an empty
 *     topic;</li>
 * <li>when every alias is taken, the least recently used one is given to the new topic (the PUBLISH that binds
 *     it carries the topic, so the client's mapping follows);</li>
 * <li>topics of three bytes or fewer never get one: the property costs three bytes.</li>
 * </ul>
 * One instance per connection (aliases do not outlive it, MQTT-3.3.2-7); used on the connection's event loop.
 */
final class OutboundAliases {

    /** Topics of this many UTF-8 bytes or fewer are always sent in full. */
    static final int MIN_TOPIC_BYTES = 4;

    private final int maximum;
    private final LinkedHashMap<String, Integer> assigned = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Boolean> seenOnce;
    private int next = 1;

    OutboundAliases(int maximum) {
        this.maximum = maximum;
        int window = Math.max(64, 4 * maximum);
        this.seenOnce = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > window;
            }
        };
    }

    /**
     * The alias to send {@code topic} with: 0 for none (the topic in full), a positive alias that this PUBLISH
     * binds (topic and alias), or a negative one, minus an alias the client knows (alias, empty topic).
     *
     * @param topicBytes the topic's length in UTF-8 bytes
     * @param mayBind    whether a new binding may be made (false when the three bytes of the property would make
     *                   the packet too large for the client)
     */
    int aliasFor(String topic, int topicBytes, boolean mayBind) {
        Integer known = assigned.get(topic);
        if (known != null) {
            return -known;
        }
        if (!mayBind || topicBytes < MIN_TOPIC_BYTES) {
            return 0;
        }
        if (seenOnce.remove(topic) == null) {
            seenOnce.put(topic, Boolean.TRUE); // first sight: sent in full
            return 0;
        }
        int alias;
        if (next <= maximum) {
            alias = next++;
        } else {
            Iterator<Map.Entry<String, Integer>> lru = assigned.entrySet().iterator();
            alias = lru.next().getValue();
            lru.remove();
        }
        assigned.put(topic, alias);
        return alias;
    }
}
