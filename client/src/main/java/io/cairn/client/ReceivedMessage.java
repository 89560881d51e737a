package io.cairn.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A message delivered by the server. Immutable, apart from whether it was {@linkplain #acknowledge()
 * acknowledged}: {@link #payload()} returns a copy. Thread-safe.
 */
public final class ReceivedMessage {

    private final String topic;
    private final byte[] payload;
    private final Qos qos;
    private final boolean retain;
    private final boolean dup;
    private final MessageProperties properties;
    private final List<Integer> subscriptionIdentifiers;
    private final int packetId;
    /** Sends the acknowledgement; null when acknowledging is not up to the application. */
    private final Runnable acknowledger;
    private final AtomicBoolean acknowledged = new AtomicBoolean();

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
        this(topic, payload, qos, retain, dup, properties, subscriptionIdentifiers, 0, null);
    }

    /** A message as the client received it; see {@code io.cairn.client.internal.MessageFactory}. */
    ReceivedMessage(String topic, byte[] payload, Qos qos, boolean retain, boolean dup, MessageProperties properties,
                    List<Integer> subscriptionIdentifiers, int packetId, Runnable acknowledger) {
        this.packetId = packetId;
        this.acknowledger = acknowledger;
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

    /**
     * The packet identifier the server sent the message with; 0 for QoS 0, and for messages made with the public
     * constructors. Useful for logging: the server may use it again once the message is acknowledged.
     *
     * @since 1.2.0
     */
    public int packetId() {
        return packetId;
    }

    /**
     * With {@link MqttClient.Builder#manualAcknowledgement(boolean) manual acknowledgement}, acknowledges this
     * QoS 1 or QoS 2 message: the client sends its PUBACK (QoS 1) or PUBREC (QoS 2) to the server, after those of
     * the messages that arrived before it (MQTT-4.6.0-2, -3), which may mean waiting until they are acknowledged
     * too. Until then the server considers the message not delivered and sends it again when the (persistent)
     * session resumes on a new connection.
     *
     * <p>May be called from any thread, any number of times (only the first call counts), also while the client is
     * reconnecting: the acknowledgement is then sent on the next connection if the server kept the session, and
     * dropped if it did not (the server no longer expects it). Does nothing for QoS 0 messages, when manual
     * acknowledgement is off (the client acknowledged the message when the listeners returned), and for messages
     * made with the public constructors.
     *
     * @since 1.2.0
     */
    public void acknowledge() {
        if (acknowledger != null && acknowledged.compareAndSet(false, true)) {
            acknowledger.run();
        }
    }

    /**
     * A factory for the client's messages, reaching the constructor that is not public; the client's builder
     * passes it to the engine.
     */
    static io.cairn.client.internal.MessageFactory factory() {
        return ReceivedMessage::new;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value()
                + (packetId == 0 ? "" : ", packetId=" + packetId) + ", retain="
                + retain + ", dup=" + dup + (properties.isEmpty() ? "" : ", " + properties)
                + (subscriptionIdentifiers.isEmpty() ? "" : ", subscriptionIds=" + subscriptionIdentifiers) + "]";
    }
}
