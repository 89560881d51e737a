package io.cairn.api.broker;

import io.cairn.api.message.ReasonCode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The broker's figures for monitoring, taken on request: counters since the broker started and levels now. The
 * values are read one after the other without a lock, so each is exact but they are not taken at one instant.
 * The totals over all listeners are sums of {@link #listeners()}. Since 1.3.
 *
 * @param statistics       the same counters as {@link Broker#statistics()}
 * @param dropped          messages not delivered to a matched subscriber, by reason; every reason is present
 * @param queuedMessages   messages waiting in the queues of all sessions now (not yet sent)
 * @param inflightMessages QoS 1/2 messages sent to clients of all sessions and not yet acknowledged, now
 * @param maxQueuedMessages the longest queue of one session now
 * @param listeners        each listener that accepted a connection since the start (or is open now), by name
 * @since 1.3
 */
public record BrokerMetrics(BrokerStatistics statistics, Map<DropReason, Long> dropped, long queuedMessages,
                            long inflightMessages, long maxQueuedMessages, List<ListenerMetrics> listeners) {

    public BrokerMetrics {
        Objects.requireNonNull(statistics, "statistics");
        EnumMap<DropReason, Long> all = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            all.put(r, dropped.getOrDefault(r, 0L));
        }
        dropped = Map.copyOf(all);
        listeners = List.copyOf(listeners);
    }

    /** PUBLISH packets received from clients over all listeners, by QoS. */
    public MessageCounts received() {
        MessageCounts sum = MessageCounts.ZERO;
        for (ListenerMetrics l : listeners) {
            sum = sum.plus(l.received());
        }
        return sum;
    }

    /** PUBLISH packets sent to clients over all listeners, by QoS. */
    public MessageCounts sent() {
        MessageCounts sum = MessageCounts.ZERO;
        for (ListenerMetrics l : listeners) {
            sum = sum.plus(l.sent());
        }
        return sum;
    }

    /** CONNECTs refused over all listeners, by reason. */
    public Map<ReasonCode, Long> refused() {
        Map<ReasonCode, Long> sum = new EnumMap<>(ReasonCode.class);
        for (ListenerMetrics l : listeners) {
            l.refused().forEach((r, n) -> sum.merge(r, n, Long::sum));
        }
        return Map.copyOf(sum);
    }

    /** CONNECTs refused by authentication over all listeners, by reason. */
    public Map<ReasonCode, Long> authFailures() {
        Map<ReasonCode, Long> sum = new EnumMap<>(ReasonCode.class);
        for (ListenerMetrics l : listeners) {
            l.authFailures().forEach((r, n) -> sum.merge(r, n, Long::sum));
        }
        return Map.copyOf(sum);
    }
}
