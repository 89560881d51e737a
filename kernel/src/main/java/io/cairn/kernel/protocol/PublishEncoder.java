package io.cairn.kernel.protocol;

import io.cairn.api.message.QoS;
import io.cairn.kernel.delivery.Publication;
import io.netty.buffer.ByteBuf;

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

    /**
     * The bytes of the fixed header, topic, packet id (and, for MQTT 5, the property length) of a PUBLISH of
     * {@code publication} at {@code qos}.
     *
     * @param alias the Topic Alias as {@link OutboundAliases#aliasFor} gives it: 0 none, above 0 sent with the
     *              topic, below 0 sent instead of the topic (MQTT 5 only)
     */
    static int headerSize(Publication publication, QoS qos, boolean v5, long expiry, int[] subscriptionIds,
                          int alias) {
        int variableHeader = variableHeaderSize(publication, qos, v5, expiry, subscriptionIds, alias);
        return 1 + lengthBytes(variableHeader + publication.payloadSize()) + variableHeader;
    }

    private static int variableHeaderSize(Publication publication, QoS qos, boolean v5, long expiry,
                                          int[] subscriptionIds, int alias) {
        int size = 2 + (alias < 0 ? 0 : publication.topicUtf8().length) + (qos == QoS.AT_MOST_ONCE ? 0 : 2);
        if (v5) {
            int properties = propertiesLength(publication, expiry, subscriptionIds, alias);
            size += lengthBytes(properties) + properties;
        }
        return size;
    }

    /**
     * MQTT 5: the Topic Alias (3 bytes, if any), the remaining Message Expiry Interval (5 bytes, if any), the
     * Subscription Identifiers of the matching subscriptions (MQTT-3.3.4-3), then the properties all subscribers
     * get.
     */
    private static int propertiesLength(Publication publication, long expiry, int[] subscriptionIds, int alias) {
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
                       boolean v5, long expiry, int[] subscriptionIds, int alias) {
        header(out, publication, qos, packetId, retain, dup, v5, expiry, subscriptionIds, alias);
        ByteBuf payload = publication.payload();
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /**
     * Writes the fixed header, topic and packet id of a PUBLISH to {@code out}, which MUST have the room; the
     * caller writes the payload after it.
     */
    static void header(ByteBuf buf, Publication publication, QoS qos, int packetId, boolean retain, boolean dup,
                       boolean v5, long expiry, int[] subscriptionIds, int alias) {
        byte[] topic = publication.topicUtf8();
        int variableHeader = variableHeaderSize(publication, qos, v5, expiry, subscriptionIds, alias);
        int remainingLength = variableHeader + publication.payloadSize();
        buf.writeByte(0x30 | (dup ? 0x08 : 0) | (qos.value() << 1) | (retain ? 0x01 : 0));
        writeRemainingLength(buf, remainingLength);
        if (alias < 0) {
            buf.writeShort(0); // the client knows the topic by its alias (MQTT 5.0 §3.3.2.3.4)
        } else {
            buf.writeShort(topic.length);
            buf.writeBytes(topic);
        }
        if (qos != QoS.AT_MOST_ONCE) {
            buf.writeShort(packetId);
        }
        if (v5) {
            writeRemainingLength(buf, propertiesLength(publication, expiry, subscriptionIds, alias));
            if (alias != 0) {
                buf.writeByte(0x23).writeShort(Math.abs(alias)); // Topic Alias
            }
            if (expiry >= 0) {
                buf.writeByte(0x02).writeInt((int) expiry); // Message Expiry Interval, as it stands now
            }
            if (subscriptionIds != null) {
                for (int id : subscriptionIds) {
                    buf.writeByte(0x0B);
                    writeRemainingLength(buf, id); // a Variable Byte Integer, like the remaining length
                }
            }
            buf.writeBytes(publication.v5Properties());
        }
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

    private static void writeRemainingLength(ByteBuf buf, int length) {
        do {
            int digit = length & 0x7F;
            length >>>= 7;
            buf.writeByte(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
    }
}
