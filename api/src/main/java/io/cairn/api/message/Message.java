package io.cairn.api.message;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An application message: topic, payload, QoS, retain flag and MQTT 5 properties. Immutable and thread-safe;
 * the payload is held as a private copy and handed out as read-only views, so no caller ever has to release
 * anything.
 */
public final class Message {

    private static final byte[] EMPTY = new byte[0];

    private final String topic;
    private final byte[] payload;
    private final QoS qos;
    private final boolean retain;
    private final MessageProperties properties;

    private Message(String topic, byte[] payload, QoS qos, boolean retain, MessageProperties properties) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.properties = properties;
    }

    /**
     * Creates a message with no MQTT 5 properties; the payload is copied.
     *
     * @throws NullPointerException if any argument is {@code null}
     */
    public static Message of(String topic, byte[] payload, QoS qos, boolean retain) {
        return of(topic, payload, qos, retain, MessageProperties.NONE);
    }

    /**
     * Creates a message; the payload is copied.
     *
     * @throws NullPointerException if any argument is {@code null}
     */
    public static Message of(String topic, byte[] payload, QoS qos, boolean retain, MessageProperties properties) {
        Objects.requireNonNull(payload, "payload");
        return new Message(Objects.requireNonNull(topic, "topic"), payload.length == 0 ? EMPTY : payload.clone(),
                Objects.requireNonNull(qos, "qos"), retain, Objects.requireNonNull(properties, "properties"));
    }

    /**
     * Creates a message whose payload is the remaining bytes of {@code payload} (copied; the buffer's position
     * is not changed).
     */
    public static Message of(String topic, ByteBuffer payload, QoS qos, boolean retain,
                             MessageProperties properties) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return new Message(Objects.requireNonNull(topic, "topic"), bytes, Objects.requireNonNull(qos, "qos"),
                retain, Objects.requireNonNull(properties, "properties"));
    }

    /** The topic name; never contains wildcards. */
    public String topic() {
        return topic;
    }

    /** A read-only view of the payload, positioned at its start. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** A fresh copy of the payload bytes. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /** The payload length in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** The QoS at which the message was published. */
    public QoS qos() {
        return qos;
    }

    /** The retain flag as published. */
    public boolean retain() {
        return retain;
    }

    /** The MQTT 5 properties; {@link MessageProperties#NONE} for messages that carry none. */
    public MessageProperties properties() {
        return properties;
    }

    /** This message with another QoS; the payload is shared, not copied. */
    public Message withQos(QoS newQos) {
        return newQos == qos ? this : new Message(topic, payload, Objects.requireNonNull(newQos), retain, properties);
    }

    /** This message with another retain flag; the payload is shared, not copied. */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this : new Message(topic, payload, qos, newRetain, properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && topic.equals(m.topic) && qos == m.qos && retain == m.retain
                && Arrays.equals(payload, m.payload) && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, retain, Arrays.hashCode(payload), properties);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", payload="
                + payload.length + " bytes]";
    }
}
