package io.cairn.kernel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The four-byte acknowledgements (PUBACK, PUBREC, PUBREL, PUBCOMP) and PINGRESP, encoded straight into a buffer:
 * they are sent once per QoS 1/2 message, so they skip building a message object for Netty's encoder.
 */
final class Acks {

    static final int PUBACK = 0x40;
    static final int PUBREC = 0x50;
    static final int PUBREL = 0x62; // reserved flags 0010 (MQTT-3.6.1-1)
    static final int PUBCOMP = 0x70;

    private Acks() {
    }

    static ByteBuf ack(ByteBufAllocator alloc, int type, int packetId) {
        return alloc.ioBuffer(4).writeByte(type).writeByte(2).writeShort(packetId);
    }

    static ByteBuf pingresp(ByteBufAllocator alloc) {
        return alloc.ioBuffer(2).writeByte(0xD0).writeByte(0);
    }
}
