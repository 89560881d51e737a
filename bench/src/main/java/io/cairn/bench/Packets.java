package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Encodes the few MQTT 3.1/3.1.1 control packets the generator sends, straight into a buffer. */
final class Packets {

    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    private Packets() {
    }

    /** The number of bytes the remaining-length field takes for {@code length}. */
    static int remainingLengthBytes(int length) {
        if (length < 128) {
            return 1;
        } else if (length < 16_384) {
            return 2;
        } else if (length < 2_097_152) {
            return 3;
        }
        return 4;
    }

    /** Writes {@code length} as an MQTT variable byte integer (section 2.2.3). */
    static void writeRemainingLength(ByteBuf out, int length) {
        if (length < 0 || length > FrameParser.MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("remaining length out of range: " + length);
        }
        int value = length;
        do {
            int digit = value & 0x7f;
            value >>>= 7;
            out.writeByte(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    /**
     * Writes a CONNECT with a clean session.
     *
     * @param protocolLevel 3 for MQTT 3.1 ({@code MQIsdp}), 4 for MQTT 3.1.1 ({@code MQTT})
     */
    static void connect(ByteBuf out, int protocolLevel, String clientId, int keepAliveSeconds, String username,
                        String password) {
        byte[] name = (protocolLevel == 3 ? "MQIsdp" : "MQTT").getBytes(StandardCharsets.US_ASCII);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] user = username == null ? null : username.getBytes(StandardCharsets.UTF_8);
        byte[] pass = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + name.length + 1 + 1 + 2 + 2 + id.length;
        int flags = 0x02; // clean session
        if (user != null) {
            flags |= 0x80;
            remaining += 2 + user.length;
        }
        if (pass != null) {
            flags |= 0x40;
            remaining += 2 + pass.length;
        }
        out.writeByte(CONNECT << 4);
        writeRemainingLength(out, remaining);
        out.writeShort(name.length).writeBytes(name);
        out.writeByte(protocolLevel);
        out.writeByte(flags);
        out.writeShort(keepAliveSeconds);
        out.writeShort(id.length).writeBytes(id);
        if (user != null) {
            out.writeShort(user.length).writeBytes(user);
        }
        if (pass != null) {
            out.writeShort(pass.length).writeBytes(pass);
        }
    }

    /** Writes a SUBSCRIBE for one topic filter at {@code qos}. */
    static void subscribe(ByteBuf out, int packetId, String topicFilter, int qos) {
        byte[] topic = topicFilter.getBytes(StandardCharsets.UTF_8);
        out.writeByte(SUBSCRIBE << 4 | 0x02);
        writeRemainingLength(out, 2 + 2 + topic.length + 1);
        out.writeShort(packetId);
        out.writeShort(topic.length).writeBytes(topic);
        out.writeByte(qos);
    }

    /** Writes a PUBACK, PUBREC, PUBREL or PUBCOMP for {@code packetId}. */
    static void ack(ByteBuf out, int type, int packetId) {
        out.writeByte(type == PUBREL ? PUBREL << 4 | 0x02 : type << 4);
        out.writeByte(2);
        out.writeShort(packetId);
    }

    /** Writes a PINGREQ. */
    static void pingreq(ByteBuf out) {
        out.writeByte(PINGREQ << 4).writeByte(0);
    }

    /** Writes a DISCONNECT. */
    static void disconnect(ByteBuf out) {
        out.writeByte(DISCONNECT << 4).writeByte(0);
    }

    /** A readable text for a CONNACK return code (MQTT 3.1.1 table 3.1). */
    static String connackReason(int code) {
        switch (code) {
            case 1: return "unacceptable protocol version";
            case 2: return "identifier rejected";
            case 3: return "server unavailable";
            case 4: return "bad user name or password";
            case 5: return "not authorized";
            default: return "unknown return code";
        }
    }
}
