package io.cairn.kernel.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The four-byte acknowledgements (PUBACK, PUBREC, PUBREL, PUBCOMP) and PINGRESP, encoded straight into the
 * connection's outgoing batch: they are sent once per QoS 1/2 message, so they skip building a message object
 * for Netty's encoder and a buffer of their own.
 */
final class Acks {

    static final int PUBACK = 0x40;
    static final int PUBREC = 0x50;
    static final int PUBREL = 0x62; // reserved flags 0010 (MQTT-3.6.1-1)
    static final int PUBCOMP = 0x70;
    static final int PINGRESP = 0xD0;

    /** Bytes of an acknowledgement with a packet identifier (and room for an MQTT 5 reason code). */
    static final int ACK_SIZE = 5;

    private Acks() {
    }

    static void ack(ByteBuf out, int type, int packetId) {
        out.writeByte(type).writeByte(2).writeShort(packetId);
    }

    /**
     * An MQTT 5 acknowledgement with a reason code and no properties (MQTT 5.0 §3.4.2); reason 0 is written in
     * the short form, which means the same (MQTT 5.0 §3.4.2.1).
     */
    static void ack(ByteBuf out, int type, int packetId, int reason) {
        if (reason == 0) {
            ack(out, type, packetId);
        } else {
            out.writeByte(type).writeByte(3).writeShort(packetId).writeByte(reason);
        }
    }

    static void pingresp(ByteBuf out) {
        out.writeByte(PINGRESP).writeByte(0);
    }
}
