package io.cairn.kernel.protocol;

import io.cairn.api.message.QoS;
import io.cairn.kernel.delivery.Publication;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes the part of an outgoing PUBLISH that differs per subscriber: the fixed header, the topic and the
 * packet identifier (MQTT 3.1.1 §3.3). The payload is not copied: it is written after this header as a
 * duplicate of the one buffer all subscribers share. Netty's MqttEncoder would copy the payload into every
 * subscriber's packet, which is why the kernel writes PUBLISH itself.
 *
 * <p>Payloads up to {@link #COPY_THRESHOLD} bytes are copied into the header buffer instead: a second buffer
 * object and outbound entry cost more (about 100 bytes of bookkeeping and one more iovec) than copying a small
 * payload, and one buffer per packet keeps the write-buffer accounting close to the bytes actually queued.
 */
final class PublishEncoder {

    /** Payloads of at most this many bytes are copied into the packet; larger ones are shared. */
    static final int COPY_THRESHOLD = 512;

    private PublishEncoder() {
    }

    /** The whole PUBLISH in one buffer, payload copied. */
    static ByteBuf packet(ByteBufAllocator alloc, Publication publication, QoS qos, int packetId, boolean retain,
                          boolean dup) {
        ByteBuf payload = publication.payload();
        return header(alloc, publication, qos, packetId, retain, dup, payload.readableBytes())
                .writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /**
     * The fixed header, topic and packet id of a PUBLISH, in a buffer with {@code extra} more bytes of room; the
     * caller writes the payload after it.
     */
    static ByteBuf header(ByteBufAllocator alloc, Publication publication, QoS qos, int packetId, boolean retain,
                          boolean dup, int extra) {
        byte[] topic = publication.topicUtf8();
        int variableHeader = 2 + topic.length + (qos == QoS.AT_MOST_ONCE ? 0 : 2);
        int remainingLength = variableHeader + publication.payloadSize();
        ByteBuf buf = alloc.ioBuffer(1 + lengthBytes(remainingLength) + variableHeader + extra);
        buf.writeByte(0x30 | (dup ? 0x08 : 0) | (qos.value() << 1) | (retain ? 0x01 : 0));
        writeRemainingLength(buf, remainingLength);
        buf.writeShort(topic.length);
        buf.writeBytes(topic);
        if (qos != QoS.AT_MOST_ONCE) {
            buf.writeShort(packetId);
        }
        return buf;
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
