package io.cairn.kernel.delivery;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A message inside the kernel: the topic, encoded once, and the payload buffer shared by every subscriber it
 * goes to. Reference-counted through its payload: every holder (a queued or in-flight delivery, the retained
 * index, a hand-over between event loops) owns one reference and releases it when done.
 */
public final class Publication {

    private final String topic;
    private final byte[] topicUtf8;
    private final ByteBuf payload;
    private final QoS qos;
    private final boolean retain;
    private final MessageProperties properties;
    private final long receivedAt;
    private final String publisher;
    private volatile Message message;
    private volatile byte[] v5Properties;
    /** Set by the publisher's thread around its routing only; never read elsewhere. */
    private StoredRouting storedRouting;

    /**
     * Wraps {@code payload}, taking over the caller's reference to it.
     */
    public Publication(String topic, ByteBuf payload, QoS qos, boolean retain, MessageProperties properties,
                       long receivedAt) {
        this(topic, topic.getBytes(StandardCharsets.UTF_8), payload, qos, retain, properties, receivedAt);
    }

    /**
     * Wraps {@code payload}, taking over the caller's reference to it, with the topic already encoded:
     * {@code topicUtf8} MUST be {@code topic} in UTF-8 and MUST NOT be modified afterwards (it may be shared).
     */
    public Publication(String topic, byte[] topicUtf8, ByteBuf payload, QoS qos, boolean retain,
                       MessageProperties properties, long receivedAt) {
        this(topic, topicUtf8, payload, qos, retain, properties, receivedAt, null);
    }

    /**
     * As above, published by the client {@code publisher} (for MQTT 5 No Local), or {@code null} when no client
     * published it (a plugin, a will, a retained message).
     */
    public Publication(String topic, byte[] topicUtf8, ByteBuf payload, QoS qos, boolean retain,
                       MessageProperties properties, long receivedAt, String publisher) {
        this.publisher = publisher;
        this.topic = topic;
        this.topicUtf8 = topicUtf8;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.properties = properties;
        this.receivedAt = receivedAt;
    }

    /**
     * A publication over {@code message}'s payload, without copying it (one reference). The buffer is a heap view
     * left to the garbage collector, so long-lived holders such as the retained index never give their reference
     * back and concurrent readers can always take another.
     */
    public static Publication of(Message message, long receivedAt) {
        return of(message, receivedAt, null);
    }

    /** As {@link #of(Message, long)}, published by the client {@code publisher} (or {@code null}). */
    public static Publication of(Message message, long receivedAt, String publisher) {
        Publication p = new Publication(message.topic(), message.topic().getBytes(StandardCharsets.UTF_8),
                Unpooled.wrappedBuffer(message.payload()), message.qos(), message.retain(), message.properties(),
                receivedAt, publisher);
        p.message = message;
        return p;
    }

    public String topic() {
        return topic;
    }

    /** How the router is to store this message's copies while it routes it, or {@code null}. */
    public StoredRouting storedRouting() {
        return storedRouting;
    }

    /** Sets {@link #storedRouting()} for the routing that follows; {@code null} when it is done. */
    public void storedRouting(StoredRouting value) {
        storedRouting = value;
    }

    /** The topic name in UTF-8; MUST NOT be modified. */
    public byte[] topicUtf8() {
        return topicUtf8;
    }

    /** The shared payload; callers MUST NOT change its indexes: use {@code retainedDuplicate()} to write it. */
    public ByteBuf payload() {
        return payload;
    }

    public int payloadSize() {
        return payload.readableBytes();
    }

    public QoS qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    public MessageProperties properties() {
        return properties;
    }

    /** The client id of the client that published it, or {@code null}. */
    public String publisher() {
        return publisher;
    }

    /** When the broker received it, in epoch milliseconds. */
    public long receivedAt() {
        return receivedAt;
    }

    /** Whether it carries an MQTT 5 Message Expiry Interval. */
    public boolean hasExpiry() {
        return properties.messageExpiryInterval() != MessageProperties.NO_EXPIRY;
    }

    /**
     * Whether its Message Expiry Interval has passed at {@code nowMillis}: a copy that has not started onward
     * delivery is then deleted (MQTT-3.3.2-5).
     */
    public boolean expired(long nowMillis) {
        long interval = properties.messageExpiryInterval();
        return interval != MessageProperties.NO_EXPIRY && nowMillis - receivedAt >= interval * 1000;
    }

    /**
     * The Message Expiry Interval to forward at {@code nowMillis}: the received one minus the whole seconds it
     * waited here (MQTT-3.3.2-6), or {@link MessageProperties#NO_EXPIRY}.
     */
    public long remainingExpiry(long nowMillis) {
        long interval = properties.messageExpiryInterval();
        if (interval == MessageProperties.NO_EXPIRY) {
            return interval;
        }
        return Math.max(0, interval - Math.max(0, nowMillis - receivedAt) / 1000);
    }

    private static final byte[] NO_PROPERTIES = new byte[0];

    /**
     * The MQTT 5 PUBLISH properties every 5.0 subscriber gets unchanged, encoded once (MQTT 5.0 §3.3.2.3):
     * Payload Format Indicator, Content Type, Response Topic, Correlation Data and the User Properties in their
     * order. The Message Expiry Interval differs per delivery and is not included. Empty for none.
     */
    public byte[] v5Properties() {
        byte[] b = v5Properties;
        if (b == null) {
            b = encode(properties);
            v5Properties = b;
        }
        return b;
    }

    private static byte[] encode(MessageProperties p) {
        if (p == MessageProperties.NONE) {
            return NO_PROPERTIES;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (p.utf8Payload()) {
            out.write(0x01);
            out.write(1);
        }
        if (p.contentType() != null) {
            out.write(0x03);
            string(out, p.contentType());
        }
        if (p.responseTopic() != null) {
            out.write(0x08);
            string(out, p.responseTopic());
        }
        ByteBuffer correlation = p.correlationData();
        if (correlation != null) {
            byte[] data = new byte[correlation.remaining()];
            correlation.get(data);
            out.write(0x09);
            binary(out, data);
        }
        for (UserProperty u : p.userProperties()) {
            out.write(0x26);
            string(out, u.name());
            string(out, u.value());
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        binary(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void binary(ByteArrayOutputStream out, byte[] data) {
        out.write(data.length >>> 8);
        out.write(data.length & 0xFF);
        out.writeBytes(data);
    }

    /** This publication as an API message (payload copied once, then cached). */
    public Message toMessage() {
        Message m = message;
        if (m == null) {
            m = Message.of(topic, payload.nioBuffer(payload.readerIndex(), payload.readableBytes()), qos, retain,
                    properties);
            message = m;
        }
        return m;
    }

    /** Takes one more reference. */
    public Publication retainRef() {
        payload.retain();
        return this;
    }

    /** Gives one reference back. */
    public void release() {
        payload.release();
    }

    @Override
    public String toString() {
        return "Publication[" + topic + ", qos=" + qos.value() + ", " + payload.readableBytes() + " bytes]";
    }
}
