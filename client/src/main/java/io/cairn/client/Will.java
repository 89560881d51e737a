package io.cairn.client;

import java.util.Objects;

/**
 * The message the server publishes for the client when its connection ends without a DISCONNECT.
 * Immutable; the payload array is copied.
 */
public final class Will {

    private final String topic;
    private final byte[] payload;
    private final Qos qos;
    private final boolean retain;

    private Will(String topic, byte[] payload, Qos qos, boolean retain) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
    }

    /**
     * A will message.
     *
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name
     */
    public static Will of(String topic, byte[] payload, Qos qos, boolean retain) {
        io.cairn.client.internal.Topics.requireValidTopicName(topic);
        return new Will(topic, Objects.requireNonNull(payload, "payload").clone(), Objects.requireNonNull(qos, "qos"),
                retain);
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

    @Override
    public String toString() {
        return "Will[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value() + ", retain=" + retain
                + "]";
    }
}
