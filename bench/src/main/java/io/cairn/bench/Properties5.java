package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The MQTT 5 properties (section 2.2.2) of a received CONNACK, SUBACK, DISCONNECT or acknowledgement that the
 * generator acts on or reports; every other property is skipped by its type. Read on the rare packets only: the
 * PUBLISH path skips the property block by its length without building one of these.
 *
 * @param end               the index after the property block
 * @param receiveMaximum    the server's Receive Maximum, 65,535 when absent (section 3.2.2.3.3)
 * @param maximumQos        the server's Maximum QoS, 2 when absent (section 3.2.2.3.4)
 * @param maximumPacketSize the server's Maximum Packet Size, 0 when absent (no limit; section 3.2.2.3.6)
 * @param serverKeepAlive   the Server Keep Alive in seconds, -1 when absent (section 3.2.2.3.14)
 * @param reasonString      the Reason String, or {@code null}
 */
record Properties5(int end, int receiveMaximum, int maximumQos, long maximumPacketSize, int serverKeepAlive,
                   String reasonString) {

    static final int SESSION_EXPIRY_INTERVAL = 0x11;
    static final int SERVER_KEEP_ALIVE = 0x13;
    static final int REASON_STRING = 0x1F;
    static final int RECEIVE_MAXIMUM = 0x21;
    static final int MAXIMUM_QOS = 0x24;
    static final int MAXIMUM_PACKET_SIZE = 0x27;
    static final int USER_PROPERTY = 0x26;

    /** No properties: every value at its default. */
    static Properties5 none(int end) {
        return new Properties5(end, 65_535, 2, 0, -1, null);
    }

    /**
     * Reads the property block (a Variable Byte Integer length, then the properties) at {@code index}, which must
     * end by {@code limit}.
     *
     * @throws FrameParser.MalformedFrameException if the block is longer than the packet, a property id is
     *                                             unknown or a value runs past the block
     */
    static Properties5 read(ByteBuf buf, int index, int limit) {
        int length = variableByteInteger(buf, index, limit);
        int at = index + Packets.remainingLengthBytes(length);
        int end = at + length;
        if (end > limit) {
            throw new FrameParser.MalformedFrameException("property length " + length + " runs past the packet");
        }
        int receiveMaximum = 65_535;
        int maximumQos = 2;
        long maximumPacketSize = 0;
        int serverKeepAlive = -1;
        String reasonString = null;
        while (at < end) {
            int id = buf.getUnsignedByte(at++);
            switch (id) {
                case 0x01, 0x17, 0x19, 0x25, 0x28, 0x29, 0x2A -> at = need(at, 1, end);
                case MAXIMUM_QOS -> {
                    need(at, 1, end);
                    maximumQos = buf.getUnsignedByte(at++);
                }
                case 0x22, 0x23 -> at = need(at, 2, end);
                case RECEIVE_MAXIMUM -> {
                    need(at, 2, end);
                    receiveMaximum = buf.getUnsignedShort(at);
                    at += 2;
                }
                case SERVER_KEEP_ALIVE -> {
                    need(at, 2, end);
                    serverKeepAlive = buf.getUnsignedShort(at);
                    at += 2;
                }
                case 0x02, SESSION_EXPIRY_INTERVAL, 0x18 -> at = need(at, 4, end);
                case MAXIMUM_PACKET_SIZE -> {
                    need(at, 4, end);
                    maximumPacketSize = buf.getUnsignedInt(at);
                    at += 4;
                }
                case 0x0B -> at += Packets.remainingLengthBytes(variableByteInteger(buf, at, end));
                case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C -> at = skipString(buf, at, end);
                case REASON_STRING -> {
                    int next = skipString(buf, at, end);
                    reasonString = buf.toString(at + 2, next - at - 2, StandardCharsets.UTF_8);
                    at = next;
                }
                case USER_PROPERTY -> at = skipString(buf, skipString(buf, at, end), end);
                default -> throw new FrameParser.MalformedFrameException(String.format(
                        "unknown property id 0x%02X", id));
            }
        }
        return new Properties5(end, receiveMaximum, maximumQos, maximumPacketSize, serverKeepAlive, reasonString);
    }

    /**
     * Decodes the Variable Byte Integer (section 1.5.5) at {@code index}, which must end before {@code limit}.
     * Its length in bytes is {@link Packets#remainingLengthBytes(int)} of the value: a longer encoding is refused.
     *
     * @throws FrameParser.MalformedFrameException if it runs past {@code limit}, has more than four bytes or is
     *                                             not in its shortest form
     */
    static int variableByteInteger(ByteBuf buf, int index, int limit) {
        int value = 0;
        int shift = 0;
        for (int i = index; i < limit && shift <= 21; i++, shift += 7) {
            int b = buf.getByte(i);
            value |= (b & 0x7f) << shift;
            if (b >= 0) {
                if (Packets.remainingLengthBytes(value) != i - index + 1) {
                    throw new FrameParser.MalformedFrameException("variable byte integer not in its shortest form");
                }
                return value;
            }
        }
        throw new FrameParser.MalformedFrameException("variable byte integer runs past the packet or has more"
                + " than four bytes");
    }

    /** This block's Reason String as {@code ": text"}, or an empty string. */
    String reasonSuffix() {
        return reasonString == null ? "" : ": " + reasonString;
    }

    private static int need(int at, int bytes, int end) {
        if (at + bytes > end) {
            throw new FrameParser.MalformedFrameException("a property value runs past the property block");
        }
        return at + bytes;
    }

    private static int skipString(ByteBuf buf, int at, int end) {
        need(at, 2, end);
        return need(at + 2, buf.getUnsignedShort(at), end);
    }
}
