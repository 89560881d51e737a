package io.cairn.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A message delivered by the server. Immutable: {@link #payload()} returns a copy. */
public final class ReceivedMessage {

    private final String topic;
    private final byte[] payload;
    private final Qos qos;
    private final boolean retain;
    private final boolean dup;

    /** A message; created by the client, which hands over {@code payload} without copying it. */
    public ReceivedMessage(String topic, byte[] payload, Qos qos, boolean retain, boolean dup) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.dup = dup;
    }

    /** The topic the message was published to. */
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

    @Override
    public String toString() {
        return "ReceivedMessage[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value() + ", retain="
                + retain + ", dup=" + dup + "]";
    }
}
