package io.cairn.kernel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw MQTT 5 conveniences for the {@code ConfB*} conformance tests: connecting as an MQTT 5 client, PUBLISH
 * packets with a property block, SUBACK reason codes, acknowledgements with or without a reason code, and the
 * properties of a received PUBLISH.
 */
public final class ConfB5 {

    private ConfB5() {
    }

    /** Opens a raw connection and connects as MQTT 5 with a clean start and {@code properties}; asserts 0x00. */
    public static RawMqttClient connect(EmbeddedBrokerExtension broker, String clientId, byte[]... properties) {
        return connect(broker, clientId, true, properties);
    }

    /** As {@link #connect(EmbeddedBrokerExtension, String, byte[]...)} with the given Clean Start. */
    public static RawMqttClient connect(EmbeddedBrokerExtension broker, String clientId, boolean cleanStart,
                                        byte[]... properties) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).cleanSession(cleanStart).mqtt5(properties).build());
        assertThat(c.expectConnack5().returnCode()).as("%s: CONNACK reason code", clientId).isZero();
        return c;
    }

    /** Session Expiry Interval (0x11), for {@code connect}. */
    public static byte[] sessionExpiry(long seconds) {
        return Packets.property(0x11, Packets.u32(seconds));
    }

    /** Receive Maximum (0x21), for {@code connect}. */
    public static byte[] receiveMaximum(int messages) {
        return Packets.property(0x21, Wire.u16(messages));
    }

    /** Maximum Packet Size (0x27), for {@code connect}. */
    public static byte[] maximumPacketSize(long bytes) {
        return Packets.property(0x27, Packets.u32(bytes));
    }

    /** A property block: the Variable Byte Integer length, then the properties. */
    public static byte[] props(byte[]... properties) {
        byte[] all = Wire.concat(properties);
        return Wire.concat(Wire.remainingLength(all.length), all);
    }

    /** A UTF-8 string property whose bytes the caller chose (possibly ill-formed). */
    public static byte[] rawStringProperty(int id, byte[] raw) {
        return Wire.concat(new byte[] {(byte) id}, Wire.lengthPrefixed(raw));
    }

    /** A User Property (0x26). */
    public static byte[] userProperty(String name, String value) {
        return Wire.concat(new byte[] {0x26}, Wire.utf8(name), Wire.utf8(value));
    }

    /** A Reason String (0x1F). */
    public static byte[] reasonString(String text) {
        return Wire.concat(new byte[] {0x1F}, Wire.utf8(text));
    }

    /**
     * An MQTT 5 PUBLISH: {@code flags} is the low nibble of the first byte (DUP 0x08, QoS bits, RETAIN 0x01);
     * a packet identifier is written when the QoS bits are not 0; {@code properties} is a whole property block
     * (see {@link #props}).
     */
    public static byte[] publish(int flags, String topic, int packetId, byte[] properties, byte[] payload) {
        return publishRawTopic(flags, topic.getBytes(StandardCharsets.UTF_8), packetId, properties, payload);
    }

    /** As {@link #publish(int, String, int, byte[], byte[])} with a topic given as raw bytes. */
    public static byte[] publishRawTopic(int flags, byte[] topic, int packetId, byte[] properties, byte[] payload) {
        byte[] id = (flags & 0x06) != 0 ? Wire.u16(packetId) : new byte[0];
        return Packets.frame(0x30 | flags, Wire.concat(Wire.lengthPrefixed(topic), id, properties, payload));
    }

    /** A PUBLISH at {@code qos} without properties and with a UTF-8 payload. */
    public static byte[] publish(String topic, int qos, int packetId, String payload) {
        return publish(qos << 1, topic, packetId, props(), payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A retained PUBLISH at {@code qos} without properties. */
    public static byte[] publishRetained(String topic, int qos, int packetId, String payload) {
        return publish(qos << 1 | 0x01, topic, packetId, props(), payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes as a well-behaved MQTT 5 client and completes the flow: PUBACK for QoS 1, PUBREC, PUBREL and
     * PUBCOMP for QoS 2, a PINGREQ/PINGRESP barrier for QoS 0. PUBLISH packets arriving meanwhile (the client's
     * own subscriptions) are kept for its next receive.
     */
    public static void publishAndComplete(RawMqttClient c, byte[] publish, int qos, int packetId) {
        c.send(publish);
        if (qos == 0) {
            c.ping();
        } else if (qos == 1) {
            c.awaitAck(Packets.PUBACK, packetId);
        } else {
            c.awaitAck(Packets.PUBREC, packetId);
            c.send(Packets.pubrel(packetId));
            c.awaitAck(Packets.PUBCOMP, packetId);
        }
    }

    /** SUBSCRIBE of one filter with the option byte {@code options}; returns the SUBACK's reason codes. */
    public static List<Integer> subscribe(RawMqttClient c, int packetId, String filter, int options) {
        c.send(Raw5.subscribe(packetId, filter, options));
        return subackCodes(c, packetId);
    }

    /** SUBSCRIBE of one filter with a Subscription Identifier (1-127); returns the SUBACK's reason codes. */
    public static List<Integer> subscribe(RawMqttClient c, int packetId, String filter, int options,
                                          int subscriptionId) {
        c.send(Packets.frame(0x82, Wire.concat(Wire.u16(packetId), new byte[] {2, 0x0B, (byte) subscriptionId},
                Wire.lengthPrefixed(filter.getBytes(StandardCharsets.UTF_8)), new byte[] {(byte) options})));
        return subackCodes(c, packetId);
    }

    /** Reads a SUBACK for {@code packetId} (PUBLISH packets before it are kept) and returns its reason codes. */
    public static List<Integer> subackCodes(RawMqttClient c, int packetId) {
        RawPacket p = c.awaitAck(Packets.SUBACK, packetId);
        byte[] b = p.body();
        int at = 2;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at++] & 0xFF;
            length |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                break;
            }
        }
        List<Integer> codes = new ArrayList<>();
        for (int i = at + length; i < b.length; i++) {
            codes.add(b[i] & 0xFF);
        }
        return codes;
    }

    /**
     * Reads the next packet, asserts it is an acknowledgement of {@code type} for {@code packetId} with the right
     * fixed-header flags, and returns its reason code (0x00 for the two-byte form).
     */
    public static int expectAck(RawMqttClient c, int type, int packetId) {
        RawPacket p = c.expect(type);
        assertThat(p.flags()).as("fixed-header flags of %s", p).isEqualTo(type == Packets.PUBREL ? 2 : 0);
        assertThat(p.packetId()).as("packet identifier of %s", p).isEqualTo(packetId);
        return p.body().length > 2 ? p.body()[2] & 0xFF : 0;
    }

    /** Reads a DISCONNECT, asserts its reason code is one of {@code reasons}, then that the server closes. */
    public static void expectDisconnect(RawMqttClient c, Integer... reasons) {
        RawPacket p = c.expect(Packets.DISCONNECT);
        assertThat(p.body().length).as("DISCONNECT with a reason code").isGreaterThanOrEqualTo(1);
        assertThat(p.body()[0] & 0xFF).as("DISCONNECT reason code").isIn((Object[]) reasons);
        c.expectClosed();
    }

    /** Reads PUBLISH packets until one with {@code markerTopic}; returns those before it. */
    public static List<Raw5.Publish> until(RawMqttClient c, String markerTopic) {
        List<Raw5.Publish> before = new ArrayList<>();
        while (true) {
            Raw5.Publish p = Raw5.expectPublish(c);
            if (p.topic().equals(markerTopic)) {
                return before;
            }
            before.add(p);
        }
    }

    /** Acknowledges a received MQTT 5 PUBLISH as its QoS requires (QoS 2: PUBREC, the PUBREL, PUBCOMP); PUBLISH
     * packets arriving before the PUBREL are kept for the next receive. */
    public static void acknowledge(RawMqttClient c, Raw5.Publish p) {
        if (p.qos() == 1) {
            c.send(Packets.puback(p.packetId()));
        } else if (p.qos() == 2) {
            c.send(Packets.pubrec(p.packetId()));
            c.awaitAck(Packets.PUBREL, p.packetId()); // a PUBLISH arriving first is kept for the next receive
            c.send(Packets.pubcomp(p.packetId()));
        }
    }

    /** One property of a property block. */
    public record Property(int id, byte[] value) {
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }

        public int intValue() {
            int v = 0;
            for (byte b : value) {
                v = v << 8 | b & 0xFF;
            }
            return v;
        }

        @Override
        public String toString() {
            return "0x" + Integer.toHexString(id) + "=" + Wire.hex(value, 64);
        }
    }

    /**
     * The properties of a property block without its length (as {@link Raw5.Publish#properties()} gives):
     * strings and binary data without their length prefix, a User Property as name, 0x00, value; Subscription
     * Identifiers decoded to a big-endian four-byte value.
     */
    public static List<Property> properties(byte[] b) {
        List<Property> out = new ArrayList<>();
        for (int at = 0; at < b.length; ) {
            int id = b[at++] & 0xFF;
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> {
                    out.add(new Property(id, Arrays.copyOfRange(b, at, at + 1)));
                    at += 1;
                }
                case 0x13, 0x21, 0x22, 0x23 -> {
                    out.add(new Property(id, Arrays.copyOfRange(b, at, at + 2)));
                    at += 2;
                }
                case 0x02, 0x11, 0x18, 0x27 -> {
                    out.add(new Property(id, Arrays.copyOfRange(b, at, at + 4)));
                    at += 4;
                }
                case 0x0B -> {
                    int v = 0;
                    for (int shift = 0; ; shift += 7) {
                        int x = b[at++] & 0xFF;
                        v |= (x & 0x7F) << shift;
                        if ((x & 0x80) == 0) {
                            break;
                        }
                    }
                    out.add(new Property(id, Packets.u32(v)));
                }
                case 0x26 -> {
                    int nameLength = (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
                    byte[] name = Arrays.copyOfRange(b, at + 2, at + 2 + nameLength);
                    at += 2 + nameLength;
                    int valueLength = (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
                    byte[] value = Arrays.copyOfRange(b, at + 2, at + 2 + valueLength);
                    at += 2 + valueLength;
                    out.add(new Property(id, Wire.concat(name, new byte[] {0}, value)));
                }
                default -> {
                    int length = (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
                    out.add(new Property(id, Arrays.copyOfRange(b, at + 2, at + 2 + length)));
                    at += 2 + length;
                }
            }
        }
        return out;
    }

    /** The values of property {@code id} in {@code p}, in order. */
    public static List<Property> properties(Raw5.Publish p, int id) {
        return properties(p.properties()).stream().filter(x -> x.id() == id).toList();
    }
}
