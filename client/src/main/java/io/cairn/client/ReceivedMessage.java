package io.cairn.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A message delivered by the server. Immutable: {@link #payload()} returns a copy. */
public final class ReceivedMessage {

    private final String topic;
    private final byte[] payload;
    private final Qos qos;
    private final boolean retain;
    private final boolean dup;
    private final MessageProperties properties;
    private final List<Integer> subscriptionIdentifiers;

    /** A message; created by the client, which hands over {@code payload} without copying it. */
    public ReceivedMessage(String topic, byte[] payload, Qos qos, boolean retain, boolean dup) {
        this(topic, payload, qos, retain, dup, MessageProperties.none(), List.of());
    }

    /**
     * An MQTT 5 message with its properties and the Subscription Identifiers it matched; created by the client,
     * which hands over {@code payload} without copying it.
     *
     * @since 1.1.0
     */
    public ReceivedMessage(String topic, byte[] payload, Qos qos, boolean retain, boolean dup,
                           MessageProperties properties, List<Integer> subscriptionIdentifiers) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.dup = dup;
        this.properties = properties;
        this.subscriptionIdentifiers = List.copyOf(subscriptionIdentifiers);
    }

    /** The topic the message was published to (resolved from its Topic Alias if the server sent one). */
    public String topic() {
        return topic;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload as a read-only buffer, without copying. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The payload length in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** The QoS the server delivered the message with. */
    public Qos qos() {
        return qos;
    }

    /** Whether this is a retained message sent because of a new subscription. */
    public boolean retain() {
        return retain;
    }

    /** Whether the server flagged the PUBLISH as a possible re-delivery. */
    public boolean dup() {
        return dup;
    }

    /**
     * The MQTT 5 message properties (expiry left, content type, response topic, correlation data, user
     * properties in order); {@link MessageProperties#none()} for MQTT 3.1.1. They can be passed on to
     * {@link MqttClient#publish(String, byte[], Qos, boolean, MessageProperties)} as they are.
     *
     * @since 1.1.0
     */
    public MessageProperties properties() {
        return properties;
    }

    /**
     * The Subscription Identifiers of the subscriptions this message matched (MQTT 5.0 §3.3.2.3.8), in the
     * server's order; empty if none (and for MQTT 3.1.1).
     *
     * @since 1.1.0
     */
    public List<Integer> subscriptionIdentifiers() {
        return subscriptionIdentifiers;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value() + ", retain="
                + retain + ", dup=" + dup + (properties.isEmpty() ? "" : ", " + properties)
                + (subscriptionIdentifiers.isEmpty() ? "" : ", subscriptionIds=" + subscriptionIdentifiers) + "]";
    }
}
