package io.cairn.api.persistence;

import io.cairn.api.message.QoS;
import java.util.Objects;

/**
 * A subscription of a session: a topic filter with the options it was made with (MQTT 5.0 §3.8.3.1; an MQTT
 * 3.1.1 subscription uses only the QoS and leaves the other options at their defaults).
 *
 * @param topicFilter            the filter as subscribed, never {@code null}
 * @param qos                    the maximum QoS granted
 * @param noLocal                MQTT 5 No Local: never deliver the subscriber's own messages
 * @param retainAsPublished      MQTT 5 Retain As Published: keep the retain flag on live deliveries
 * @param retainHandling         MQTT 5 Retain Handling, 0, 1 or 2
 * @param subscriptionIdentifier MQTT 5 Subscription Identifier, or 0 for none
 */
public record Subscription(String topicFilter, QoS qos, boolean noLocal, boolean retainAsPublished,
                           int retainHandling, int subscriptionIdentifier) {

    public Subscription {
        Objects.requireNonNull(topicFilter, "topicFilter");
        Objects.requireNonNull(qos, "qos");
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling must be 0, 1 or 2, not " + retainHandling);
        }
        if (subscriptionIdentifier < 0) {
            throw new IllegalArgumentException("subscription identifier must not be negative");
        }
    }

    /** A subscription with MQTT 3.1.1 semantics: only the topic filter and the QoS. */
    public static Subscription of(String topicFilter, QoS qos) {
        return new Subscription(topicFilter, qos, false, false, 0, 0);
    }
}
