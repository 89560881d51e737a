package io.cairn.kernel.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A control packet as read from the wire: the type and flags of its fixed header and its body (variable header
 * and payload), with decoders for the packets a server sends.
 *
 * @param type  the control packet type, 0-15
 * @param flags the low nibble of the first byte
 * @param body  the bytes that followed the remaining length
 */
public record RawPacket(int type, int flags, byte[] body) {

    /** The first byte of the fixed header. */
    public int firstByte() {
        return type << 4 | flags;
    }

    /** The packet identifier in the first two body bytes (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK). */
    public int packetId() {
        requireLength(2);
        return (body[0] & 0xFF) << 8 | body[1] & 0xFF;
    }

    /** This packet decoded as CONNACK (§3.2). */
    public Connack connack() {
        requireType(Packets.CONNACK);
        requireLength(2);
        return new Connack((body[0] & 0x01) != 0, body[1] & 0xFF, body[0] & 0xFE);
    }

    /** This packet decoded as PUBLISH (§3.3). */
    public Publish publish() {
        requireType(Packets.PUBLISH);
        int qos = flags >> 1 & 0x03;
        requireLength(2);
        int topicLength = (body[0] & 0xFF) << 8 | body[1] & 0xFF;
        int pos = 2 + topicLength;
        requireLength(pos + (qos > 0 ? 2 : 0));
        byte[] topicBytes = Arrays.copyOfRange(body, 2, pos);
        int packetId = 0;
        if (qos > 0) {
            packetId = (body[pos] & 0xFF) << 8 | body[pos + 1] & 0xFF;
            pos += 2;
        }
        return new Publish(new String(topicBytes, StandardCharsets.UTF_8), topicBytes, qos, (flags & 0x08) != 0,
                (flags & 0x01) != 0, packetId, Arrays.copyOfRange(body, pos, body.length));
    }

    /** This packet decoded as SUBACK (§3.9). */
    public Suback suback() {
        requireType(Packets.SUBACK);
        requireLength(2);
        List<Integer> codes = new ArrayList<>();
        for (int i = 2; i < body.length; i++) {
            codes.add(body[i] & 0xFF);
        }
        return new Suback(packetId(), codes);
    }

    private void requireType(int expected) {
        if (type != expected) {
            throw new AssertionError("expected " + Packets.typeName(expected) + " but got " + this);
        }
    }

    private void requireLength(int n) {
        if (body.length < n) {
            throw new AssertionError("packet too short: " + this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawPacket p && p.type == type && p.flags == flags && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type + flags) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return Packets.typeName(type) + "[flags=" + Integer.toBinaryString(0x10 | flags).substring(1) + ", body="
                + Wire.hex(body, 64) + "]";
    }

    /**
     * A CONNACK.
     *
     * @param sessionPresent the session present flag
     * @param returnCode     the connect return code
     * @param reservedBits   the acknowledge flags other than session present, which MUST be zero
     */
    public record Connack(boolean sessionPresent, int returnCode, int reservedBits) {
    }

    /**
     * A PUBLISH.
     *
     * @param topic      the topic name decoded as UTF-8
     * @param topicBytes the topic name exactly as sent
     * @param qos        the QoS bits
     * @param dup        the DUP flag
     * @param retain     the RETAIN flag
     * @param packetId   the packet identifier, 0 for QoS 0 (which carries none)
     * @param payload    the application message
     */
    public record Publish(String topic, byte[] topicBytes, int qos, boolean dup, boolean retain, int packetId,
                          byte[] payload) {

        /** The payload decoded as UTF-8. */
        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publish p && p.topic.equals(topic) && p.qos == qos && p.dup == dup
                    && p.retain == retain && p.packetId == packetId && Arrays.equals(p.payload, payload);
        }

        @Override
        public int hashCode() {
            return topic.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "PUBLISH[topic=" + topic + ", qos=" + qos + ", dup=" + dup + ", retain=" + retain + ", id="
                    + packetId + ", payload=" + payloadText() + "]";
        }
    }

    /**
     * A SUBACK.
     *
     * @param packetId    the packet identifier of the SUBSCRIBE it answers
     * @param returnCodes one return code per requested filter, in order
     */
    public record Suback(int packetId, List<Integer> returnCodes) {
    }
}
