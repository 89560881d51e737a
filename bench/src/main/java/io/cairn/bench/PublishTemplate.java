package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A PUBLISH packet encoded once per publisher; each message copies it and patches only the packet id, the
 * sequence number and the timestamp, at every protocol level (at MQTT 5 the template carries an empty property
 * block, one byte). Immutable after construction.
 */
final class PublishTemplate {

    private final byte[] frame;
    private final int packetIdOffset;
    private final int payloadOffset;

    /**
     * Encodes a PUBLISH of {@code size} payload bytes to {@code topic} at {@code qos} (not retained) whose
     * payload header names {@code runId} and {@code publisherId}, for {@code protocolLevel}
     * ({@link Packets#MQTT_5} adds property length 0 after the packet id).
     */
    PublishTemplate(int protocolLevel, String topic, int qos, int size, int runId, int publisherId) {
        if (size < Payload.HEADER_BYTES) {
            throw new IllegalArgumentException("size " + size + " below the payload header");
        }
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        boolean v5 = protocolLevel == Packets.MQTT_5;
        int remaining = 2 + topicBytes.length + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + size;
        int total = 1 + Packets.remainingLengthBytes(remaining) + remaining;
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[total]).writerIndex(0);
        buf.writeByte(Packets.PUBLISH << 4 | qos << 1);
        Packets.writeRemainingLength(buf, remaining);
        buf.writeShort(topicBytes.length).writeBytes(topicBytes);
        packetIdOffset = qos > 0 ? buf.writerIndex() : -1;
        if (qos > 0) {
            buf.writeShort(0);
        }
        if (v5) {
            buf.writeByte(0); // property length: no properties
        }
        payloadOffset = buf.writerIndex();
        buf.writeInt(runId).writeInt(publisherId).writeLong(0).writeLong(0);
        for (int i = Payload.HEADER_BYTES; i < size; i++) {
            buf.writeByte('a' + i % 26);
        }
        frame = buf.array();
    }

    /** The whole packet's length in bytes. */
    int length() {
        return frame.length;
    }

    /** Appends the packet with {@code packetId} (ignored at QoS 0), {@code sequence} and {@code timestamp}. */
    void write(ByteBuf out, int packetId, long sequence, long timestamp) {
        int base = out.writerIndex();
        out.writeBytes(frame);
        if (packetIdOffset >= 0) {
            out.setShort(base + packetIdOffset, packetId);
        }
        out.setLong(base + payloadOffset + Payload.SEQUENCE_OFFSET, sequence);
        out.setLong(base + payloadOffset + Payload.TIMESTAMP_OFFSET, timestamp);
    }
}
