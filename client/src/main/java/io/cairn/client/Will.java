package io.cairn.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The message the server publishes for the client when its connection ends without a DISCONNECT (or, in MQTT 5,
 * with DISCONNECT {@code 0x04}). Immutable; the payload array is copied.
 */
public final class Will {

    private final String topic;
    private final byte[] payload;
    private final Qos qos;
    private final boolean retain;
    private final MessageProperties properties;
    private final Duration delayInterval;

    private Will(String topic, byte[] payload, Qos qos, boolean retain, MessageProperties properties,
                 Duration delayInterval) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.properties = properties;
        this.delayInterval = delayInterval;
    }

    /**
     * A will message.
     *
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name
     */
    public static Will of(String topic, byte[] payload, Qos qos, boolean retain) {
        io.cairn.client.internal.Topics.requireValidTopicName(topic);
        return new Will(topic, Objects.requireNonNull(payload, "payload").clone(), Objects.requireNonNull(qos, "qos"),
                retain, MessageProperties.none(), null);
    }

    /**
     * This will with MQTT 5 message properties (Will Properties, MQTT 5.0 §3.1.3.2); an MQTT 3.1.1 client refuses
     * a will with properties when it is built.
     *
     * @since 1.1.0
     */
    public Will withProperties(MessageProperties value) {
        return new Will(topic, payload, qos, retain, Objects.requireNonNull(value, "properties"), delayInterval);
    }

    /**
     * This will with an MQTT 5 Will Delay Interval: the server publishes it only when the session has not resumed
     * within that time (or the session ended first). Whole seconds up to 4294967295; {@code null} for none.
     *
     * @throws IllegalArgumentException if out of range or not whole seconds
     * @since 1.1.0
     */
    public Will withDelayInterval(Duration value) {
        if (value != null && (value.isNegative() || value.toSeconds() > 0xFFFF_FFFFL
                || value.toNanos() % 1_000_000_000L != 0)) {
            throw new IllegalArgumentException("the will delay interval must be whole seconds from 0 to 4294967295, "
                    + "not " + value);
        }
        return new Will(topic, payload, qos, retain, properties, value);
    }

    public String topic() {
        return topic;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    public Qos qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    /**
     * The MQTT 5 properties of the will message; {@link MessageProperties#none()} by default.
     *
     * @since 1.1.0
     */
    public MessageProperties properties() {
        return properties;
    }

    /**
     * The MQTT 5 Will Delay Interval; empty for none.
     *
     * @since 1.1.0
     */
    public Optional<Duration> delayInterval() {
        return Optional.ofNullable(delayInterval);
    }

    @Override
    public String toString() {
        return "Will[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value() + ", retain=" + retain
                + (properties.isEmpty() ? "" : ", " + properties)
                + (delayInterval == null ? "" : ", delay=" + delayInterval.toSeconds() + "s") + "]";
    }
}
