package io.cairn.kernel.protocol;

import io.cairn.api.message.QoS;
import io.cairn.kernel.delivery.Publication;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Encodes the part of an outgoing PUBLISH that differs per subscriber: the fixed header, the topic and the
 * packet identifier (MQTT 3.1.1 §3.3). The payload is not copied: it is written after this header as a
 * duplicate of the one buffer all subscribers share. Netty's MqttEncoder would copy the payload into every
 * subscriber's packet, which is why the kernel writes PUBLISH itself.
 *
 * <p>Payloads up to {@link #COPY_THRESHOLD} bytes are copied instead, into the connection's outgoing batch with
 * the header: a buffer object and outbound entry of their own cost more (about 100 bytes of bookkeeping and one
 * more iovec) than copying a small payload.
 */
final class PublishEncoder {

    /** Payloads of at most this many bytes are copied into the packet; larger ones are shared. */
    static final int COPY_THRESHOLD = 512;

    private PublishEncoder() {
    }

    /** {@code properties} for a PUBLISH without a property block (MQTT 3.1/3.1.1). */
    static final int NO_PROPERTIES = -1;

    /**
     * The bytes of the fixed header, topic, packet id and, for MQTT 5, the property block of a PUBLISH of
     * {@code publication} at {@code qos}.
     *
     * @param properties the length of the property block from {@link #propertiesLength}, or
     *                   {@link #NO_PROPERTIES}
     * @param alias      the Topic Alias as {@link OutboundAliases#aliasFor} gives it: 0 none, above 0 sent with the
     *                   topic, below 0 sent instead of the topic (MQTT 5 only)
     */
    static int headerSize(Publication publication, QoS qos, int properties, int alias) {
        int variableHeader = variableHeaderSize(publication, qos, properties, alias);
        return 1 + lengthBytes(variableHeader + publication.payloadSize()) + variableHeader;
    }

    private static int variableHeaderSize(Publication publication, QoS qos, int properties, int alias) {
        int size = 2 + (alias < 0 ? 0 : publication.topicUtf8().length) + (qos == QoS.AT_MOST_ONCE ? 0 : 2);
        return properties < 0 ? size : size + lengthBytes(properties) + properties;
    }

    /**
     * MQTT 5: the length of the property block: the Topic Alias (3 bytes, if any), the remaining Message Expiry
     * Interval (5 bytes, if any), the Subscription Identifiers of the matching subscriptions (MQTT-3.3.4-3), then
     * the properties all subscribers get. Computed once per delivery and handed to the other methods.
     */
    static int propertiesLength(Publication publication, long expiry, int[] subscriptionIds, int alias) {
        int length = (alias != 0 ? 3 : 0) + (expiry >= 0 ? 5 : 0) + publication.v5Properties().length;
        if (subscriptionIds != null) {
            for (int id : subscriptionIds) {
                length += 1 + lengthBytes(id);
            }
        }
        return length;
    }

    /** Writes the whole PUBLISH to {@code out}, payload copied; {@code out} MUST have the room. */
    static void packet(ByteBuf out, Publication publication, QoS qos, int packetId, boolean retain, boolean dup,
                       int properties, long expiry, int[] subscriptionIds, int alias) {
        header(out, publication, qos, packetId, retain, dup, properties, expiry, subscriptionIds, alias);
        ByteBuf payload = publication.payload();
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /** Per event-loop thread: where a header is put together before it is copied into the buffer in one go. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[256];
        }
    };

    /**
     * Writes the fixed header, topic, packet id and (MQTT 5) property block of a PUBLISH to {@code out}, which
     * MUST have the room; the caller writes the payload after it. The header is assembled in a thread's scratch
     * array and copied with one write: every write to a {@code ByteBuf} checks bounds and the reference count, and
     * a header of single-byte writes cost more than the copy (seen in a profile of the MQTT 5 fan-out, whose
     * property block added two more such writes per delivery).
     */
    static void header(ByteBuf buf, Publication publication, QoS qos, int packetId, boolean retain, boolean dup,
                       int properties, long expiry, int[] subscriptionIds, int alias) {
        byte[] topic = publication.topicUtf8();
        int variableHeader = variableHeaderSize(publication, qos, properties, alias);
        int remainingLength = variableHeader + publication.payloadSize();
        int size = 1 + lengthBytes(remainingLength) + variableHeader;
        byte[] b = SCRATCH.get();
        if (b.length < size) {
            b = new byte[Math.max(size, b.length * 2)];
            SCRATCH.set(b);
        }
        int at = 0;
        b[at++] = (byte) (0x30 | (dup ? 0x08 : 0) | (qos.value() << 1) | (retain ? 0x01 : 0));
        at = putVarInt(b, at, remainingLength);
        if (alias < 0) {
            b[at++] = 0; // an empty topic: the client knows it by its alias (MQTT 5.0 §3.3.2.3.4)
            b[at++] = 0;
        } else {
            b[at++] = (byte) (topic.length >>> 8);
            b[at++] = (byte) topic.length;
            System.arraycopy(topic, 0, b, at, topic.length);
            at += topic.length;
        }
        if (qos != QoS.AT_MOST_ONCE) {
            b[at++] = (byte) (packetId >>> 8);
            b[at++] = (byte) packetId;
        }
        if (properties >= 0) {
            at = putVarInt(b, at, properties);
            if (alias != 0) {
                int a = Math.abs(alias);
                b[at++] = 0x23; // Topic Alias
                b[at++] = (byte) (a >>> 8);
                b[at++] = (byte) a;
            }
            if (expiry >= 0) {
                b[at++] = 0x02; // Message Expiry Interval, as it stands now
                b[at++] = (byte) (expiry >>> 24);
                b[at++] = (byte) (expiry >>> 16);
                b[at++] = (byte) (expiry >>> 8);
                b[at++] = (byte) expiry;
            }
            if (subscriptionIds != null) {
                for (int id : subscriptionIds) {
                    b[at++] = 0x0B;
                    at = putVarInt(b, at, id); // a Variable Byte Integer, like the remaining length
                }
            }
            byte[] shared = publication.v5Properties();
            System.arraycopy(shared, 0, b, at, shared.length);
            at += shared.length;
        }
        buf.writeBytes(b, 0, at);
    }

    /** Puts {@code value} as a Variable Byte Integer at {@code b[at]}; returns the index after it. */
    private static int putVarInt(byte[] b, int at, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            b[at++] = (byte) (value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return at;
    }

    static int lengthBytes(int remainingLength) {
        if (remainingLength < 128) {
            return 1;
        } else if (remainingLength < 16_384) {
            return 2;
        } else if (remainingLength < 2_097_152) {
            return 3;
        }
        return 4;
    }

}
