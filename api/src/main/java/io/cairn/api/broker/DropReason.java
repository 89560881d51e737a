package io.cairn.api.broker;

/**
 * Why the broker did not deliver a message to a subscriber it matched. Since 1.3; later minor versions MAY add
 * reasons, so a consumer switching over these needs a default branch.
 *
 * @since 1.3
 */
public enum DropReason {
    /**
     * The subscriber's queue was at its limit ({@code maxQueuedMessages}): its oldest queued QoS 0 message, or
     * the new message if none was QoS 0, was dropped.
     */
    QUEUE_FULL,
    /**
     * The PUBLISH would have exceeded the Maximum Packet Size the subscriber announced in its MQTT 5 CONNECT; it
     * is dropped as if delivered (MQTT-3.1.2-25).
     */
    TOO_LARGE,
    /**
     * Its MQTT 5 Message Expiry Interval passed while it waited in the subscriber's queue (MQTT-3.3.2-5).
     */
    EXPIRED,
    /**
     * A QoS 0 message for a session whose client is not connected: QoS 0 is not kept for offline sessions (MQTT
     * 3.1.1 §3.1.2.4 allows it).
     */
    OFFLINE_QOS0
}
