package io.cairn.api.broker;

import io.cairn.api.message.QoS;

/**
 * Numbers of PUBLISH packets, by quality of service. Since 1.3.
 *
 * @param qos0 at most once
 * @param qos1 at least once
 * @param qos2 exactly once
 * @since 1.3
 */
public record MessageCounts(long qos0, long qos1, long qos2) {

    /** No message. */
    public static final MessageCounts ZERO = new MessageCounts(0, 0, 0);

    /** The number at {@code qos}. */
    public long of(QoS qos) {
        return switch (qos) {
            case AT_MOST_ONCE -> qos0;
            case AT_LEAST_ONCE -> qos1;
            case EXACTLY_ONCE -> qos2;
        };
    }

    /** All of them. */
    public long total() {
        return qos0 + qos1 + qos2;
    }

    /** These and {@code other}, added up. */
    public MessageCounts plus(MessageCounts other) {
        return new MessageCounts(qos0 + other.qos0, qos1 + other.qos1, qos2 + other.qos2);
    }
}
