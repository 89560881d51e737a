package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Encodes the few MQTT 3.1, 3.1.1 and 5.0 control packets the generator sends, straight into a buffer, and names
 * the return and reason codes it reads.
 */
final class Packets {

    /** Protocol level of MQTT 3.1 ({@code MQIsdp}). */
    static final int MQTT_3_1 = 3;
    /** Protocol level of MQTT 3.1.1. */
    static final int MQTT_3_1_1 = 4;
    /** Protocol level of MQTT 5.0. */
    static final int MQTT_5 = 5;

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
    static final int AUTH = 15;

    /** The lowest MQTT 5 reason code that reports a failure (MQTT 5.0 section 2.4). */
    static final int FIRST_FAILURE_REASON = 0x80;

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
     * Writes a CONNECT with a clean session (MQTT 5: Clean Start and no properties, so the session ends with the
     * connection, Session Expiry Interval 0, as a 3.1.1 clean session does).
     *
     * @param protocolLevel {@link #MQTT_3_1} ({@code MQIsdp}), {@link #MQTT_3_1_1} or {@link #MQTT_5} ({@code MQTT})
     */
    static void connect(ByteBuf out, int protocolLevel, String clientId, int keepAliveSeconds, String username,
                        String password) {
        connect(out, protocolLevel, clientId, keepAliveSeconds, 0, username, password);
    }

    /**
     * A CONNECT; {@code sessionExpiry} 0 asks for a clean session, more for a persistent one (MQTT 3.1/3.1.1: clean
     * session 0; MQTT 5: Clean Start with that Session Expiry Interval).
     */
    static void connect(ByteBuf out, int protocolLevel, String clientId, int keepAliveSeconds, long sessionExpiry,
                        String username, String password) {
        byte[] name = (protocolLevel == MQTT_3_1 ? "MQIsdp" : "MQTT").getBytes(StandardCharsets.US_ASCII);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] user = username == null ? null : username.getBytes(StandardCharsets.UTF_8);
        byte[] pass = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        boolean v5 = protocolLevel == MQTT_5;
        boolean expiry = v5 && sessionExpiry > 0;
        int remaining = 2 + name.length + 1 + 1 + 2 + (v5 ? 1 : 0) + (expiry ? 5 : 0) + 2 + id.length;
        // clean session (MQTT 5: clean start); MQTT 3.1.1 keeps its session only without it
        int flags = sessionExpiry > 0 && !v5 ? 0 : 0x02;
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
        if (expiry) {
            out.writeByte(5).writeByte(0x11).writeInt((int) sessionExpiry); // Session Expiry Interval
        } else if (v5) {
            out.writeByte(0); // property length: no properties
        }
        out.writeShort(id.length).writeBytes(id);
        if (user != null) {
            out.writeShort(user.length).writeBytes(user);
        }
        if (pass != null) {
            out.writeShort(pass.length).writeBytes(pass);
        }
    }

    /**
     * Writes a SUBSCRIBE for one topic filter at {@code qos}; at {@link #MQTT_5} with no properties and an options
     * byte holding only the QoS (No Local and Retain As Published off, retained messages sent).
     */
    static void subscribe(ByteBuf out, int protocolLevel, int packetId, String topicFilter, int qos) {
        byte[] topic = topicFilter.getBytes(StandardCharsets.UTF_8);
        boolean v5 = protocolLevel == MQTT_5;
        out.writeByte(SUBSCRIBE << 4 | 0x02);
        writeRemainingLength(out, 2 + (v5 ? 1 : 0) + 2 + topic.length + 1);
        out.writeShort(packetId);
        if (v5) {
            out.writeByte(0); // property length: no properties
        }
        out.writeShort(topic.length).writeBytes(topic);
        out.writeByte(qos);
    }

    /**
     * Writes a PUBACK, PUBREC, PUBREL or PUBCOMP for {@code packetId}; the same bytes at every protocol level, as
     * MQTT 5 lets a success without properties leave out the reason code (section 3.4.2.1).
     */
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

    /** {@code 0x87 (not authorized)}: an MQTT 5 reason code (section 2.4, table 2-6) with its name. */
    static String reason(int code) {
        return String.format(Locale.ROOT, "0x%02X (%s)", code, reasonName(code));
    }

    private static String reasonName(int code) {
        switch (code) {
            case 0x00: return "success";
            case 0x01: return "granted QoS 1";
            case 0x02: return "granted QoS 2";
            case 0x04: return "disconnect with will message";
            case 0x10: return "no matching subscribers";
            case 0x11: return "no subscription existed";
            case 0x18: return "continue authentication";
            case 0x19: return "re-authenticate";
            case 0x80: return "unspecified error";
            case 0x81: return "malformed packet";
            case 0x82: return "protocol error";
            case 0x83: return "implementation specific error";
            case 0x84: return "unsupported protocol version";
            case 0x85: return "client identifier not valid";
            case 0x86: return "bad user name or password";
            case 0x87: return "not authorized";
            case 0x88: return "server unavailable";
            case 0x89: return "server busy";
            case 0x8A: return "banned";
            case 0x8B: return "server shutting down";
            case 0x8C: return "bad authentication method";
            case 0x8D: return "keep alive timeout";
            case 0x8E: return "session taken over";
            case 0x8F: return "topic filter invalid";
            case 0x90: return "topic name invalid";
            case 0x91: return "packet identifier in use";
            case 0x92: return "packet identifier not found";
            case 0x93: return "receive maximum exceeded";
            case 0x94: return "topic alias invalid";
            case 0x95: return "packet too large";
            case 0x96: return "message rate too high";
            case 0x97: return "quota exceeded";
            case 0x98: return "administrative action";
            case 0x99: return "payload format invalid";
            case 0x9A: return "retain not supported";
            case 0x9B: return "QoS not supported";
            case 0x9C: return "use another server";
            case 0x9D: return "server moved";
            case 0x9E: return "shared subscriptions not supported";
            case 0x9F: return "connection rate exceeded";
            case 0xA0: return "maximum connect time";
            case 0xA1: return "subscription identifiers not supported";
            case 0xA2: return "wildcard subscriptions not supported";
            default: return "unknown reason code";
        }
    }

    /** The readable name of a packet type, for messages. */
    static String typeName(int type) {
        switch (type) {
            case PUBACK: return "PUBACK";
            case PUBREC: return "PUBREC";
            case PUBREL: return "PUBREL";
            case PUBCOMP: return "PUBCOMP";
            default: return "packet type " + type;
        }
    }
}
