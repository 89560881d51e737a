package io.cairn.kernel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * MQTT 5 packets and readers for the ConfA* conformance classes (conformance/v5): SUBSCRIBE and UNSUBSCRIBE
 * of several filters, PUBLISH with properties, DISCONNECT with a reason, and a reader for the property block
 * and reason codes of what the server sends. Nothing here validates its input.
 */
public final class ConfA5 {

    /** AUTH, control packet type 15 (MQTT 5.0 §3.15). */
    public static final int AUTH = 15;

    private ConfA5() {
    }

    /** One property as read back: its identifier and its value (Integer, Long, String, byte[] or String[2]). */
    public record Property(int id, Object value) {
        @Override
        public String toString() {
            return String.format("0x%02X=%s", id,
                    value instanceof String[] pair ? Arrays.toString(pair)
                            : value instanceof byte[] b ? Wire.hex(b, 32) : value);
        }
    }

    /** A property block read from {@code b} at {@code at}; {@link #end} is the offset just past it. */
    public record Block(List<Property> properties, int end) {

        public boolean has(int id) {
            return properties.stream().anyMatch(p -> p.id == id);
        }

        public List<Integer> ids() {
            return properties.stream().map(Property::id).toList();
        }

        /** The User Properties (0x26) in the order they came. */
        public List<List<String>> userProperties() {
            return properties.stream().filter(p -> p.id == 0x26).map(p -> List.of((String[]) p.value)).toList();
        }

        public Optional<Object> value(int id) {
            return properties.stream().filter(p -> p.id == id).map(Property::value).findFirst();
        }
    }

    /** Reads a Variable Byte Integer at {@code at}; returns {value, offset after}. */
    public static int[] vbi(byte[] b, int at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at++] & 0xFF;
            value |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                return new int[] {value, at};
            }
        }
    }

    /** Reads the property block (length, then properties) starting at {@code at} in {@code b}. */
    public static Block block(byte[] b, int at) {
        int[] len = vbi(b, at);
        int end = len[1] + len[0];
        List<Property> found = new ArrayList<>();
        for (int i = len[1]; i < end; ) {
            int id = b[i++] & 0xFF;
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> found.add(new Property(id, b[i++] & 0xFF));
                case 0x13, 0x21, 0x22, 0x23 -> {
                    found.add(new Property(id, u16(b, i)));
                    i += 2;
                }
                case 0x02, 0x11, 0x18, 0x27 -> {
                    found.add(new Property(id, ((long) u16(b, i) << 16) | u16(b, i + 2)));
                    i += 4;
                }
                case 0x0B -> {
                    int[] v = vbi(b, i);
                    found.add(new Property(id, v[0]));
                    i = v[1];
                }
                case 0x09, 0x16 -> {
                    int n = u16(b, i);
                    found.add(new Property(id, Arrays.copyOfRange(b, i + 2, i + 2 + n)));
                    i += 2 + n;
                }
                case 0x26 -> {
                    int n = u16(b, i);
                    String k = new String(b, i + 2, n, StandardCharsets.UTF_8);
                    i += 2 + n;
                    int m = u16(b, i);
                    String v = new String(b, i + 2, m, StandardCharsets.UTF_8);
                    i += 2 + m;
                    found.add(new Property(id, new String[] {k, v}));
                }
                case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> {
                    int n = u16(b, i);
                    found.add(new Property(id, new String(b, i + 2, n, StandardCharsets.UTF_8)));
                    i += 2 + n;
                }
                default -> throw new AssertionError(String.format("unknown property 0x%02X in %s", id,
                        Wire.hex(b, 64)));
            }
        }
        return new Block(found, end);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    /** The properties of a PUBLISH read by {@link Raw5}. */
    public static Block properties(Raw5.Publish p) {
        return block(Wire.concat(Wire.remainingLength(p.properties().length), p.properties()), 0);
    }

    /** The properties of a CONNACK (after the flags and reason code). */
    public static Block connackProperties(RawPacket connack) {
        return block(connack.body(), 2);
    }

    /**
     * The properties of a DISCONNECT or AUTH: none when the remaining length is under 2 (MQTT 5.0 §3.14.2.2).
     */
    public static Block reasonProperties(RawPacket p) {
        return p.body().length < 2 ? new Block(List.of(), p.body().length) : block(p.body(), 1);
    }

    /** The reason code of a DISCONNECT or AUTH: 0x00 when the remaining length is 0. */
    public static int reason(RawPacket p) {
        return p.body().length == 0 ? 0 : p.body()[0] & 0xFF;
    }

    /** The properties of a SUBACK or UNSUBACK (after the packet identifier). */
    public static Block ackBlock(RawPacket p) {
        return block(p.body(), 2);
    }

    /** The reason codes of a SUBACK or UNSUBACK, in order. */
    public static List<Integer> ackCodes(RawPacket p) {
        byte[] b = p.body();
        List<Integer> codes = new ArrayList<>();
        for (int i = ackBlock(p).end(); i < b.length; i++) {
            codes.add(b[i] & 0xFF);
        }
        return codes;
    }

    /** The properties of a PUBACK, PUBREC, PUBREL or PUBCOMP: none when the remaining length is under 4. */
    public static Block pubAckBlock(RawPacket p) {
        return p.body().length < 4 ? new Block(List.of(), p.body().length) : block(p.body(), 3);
    }

    /** The whole size of a packet on the wire: fixed header byte, Remaining Length and body. */
    public static int wireSize(RawPacket p) {
        return 1 + Wire.remainingLength(p.body().length).length + p.body().length;
    }

    /** A property block: its length, then the properties. */
    public static byte[] props(byte[]... properties) {
        byte[] all = Wire.concat(properties);
        return Wire.concat(Wire.remainingLength(all.length), all);
    }

    /** A User Property (0x26). */
    public static byte[] userProperty(String name, String value) {
        return Packets.property(0x26, Wire.concat(Packets.utf8(name), Packets.utf8(value)));
    }

    /** An MQTT 5 PUBLISH: {@code topicField} (raw, length-prefixed by the caller), packet id for QoS > 0. */
    public static byte[] publish(byte[] topicField, int qos, boolean retain, int packetId, byte[] propertyBlock,
                                 byte[] payload) {
        return Packets.frame(0x30 | qos << 1 | (retain ? 1 : 0), Wire.concat(topicField,
                qos > 0 ? Wire.u16(packetId) : new byte[0], propertyBlock, payload));
    }

    /** An MQTT 5 PUBLISH of a UTF-8 payload, without properties. */
    public static byte[] publish(String topic, int qos, boolean retain, int packetId, String payload) {
        return publish(Wire.utf8(topic), qos, retain, packetId, props(),
                payload.getBytes(StandardCharsets.UTF_8));
    }

    /** SUBSCRIBE with the given first byte, no properties, and filter/option pairs: "a/#", 1, "b", 2, ... */
    public static byte[] subscribeWith(int firstByte, int packetId, Object... filtersAndOptions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Wire.u16(packetId));
        out.write(0);
        for (int i = 0; i < filtersAndOptions.length; i += 2) {
            out.writeBytes(Wire.utf8((String) filtersAndOptions[i]));
            out.write((Integer) filtersAndOptions[i + 1]);
        }
        return Packets.frame(firstByte, out.toByteArray());
    }

    /** A well-formed SUBSCRIBE (0x82) of filter/option pairs. */
    public static byte[] subscribe(int packetId, Object... filtersAndOptions) {
        return subscribeWith(0x82, packetId, filtersAndOptions);
    }

    /** UNSUBSCRIBE with the given first byte, no properties, and the filters. */
    public static byte[] unsubscribeWith(int firstByte, int packetId, String... filters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Wire.u16(packetId));
        out.write(0);
        for (String f : filters) {
            out.writeBytes(Wire.utf8(f));
        }
        return Packets.frame(firstByte, out.toByteArray());
    }

    /** A well-formed UNSUBSCRIBE (0xA2) of the filters. */
    public static byte[] unsubscribe(int packetId, String... filters) {
        return unsubscribeWith(0xA2, packetId, filters);
    }

    /** DISCONNECT with {@code reason} and the given properties. */
    public static byte[] disconnect(int reason, byte[]... properties) {
        return Packets.frame(0xE0, Wire.concat(new byte[] {(byte) reason}, props(properties)));
    }

    /** Connects an MQTT 5 client with the CONNECT {@code connect} and asserts CONNACK 0x00; returns the CONNACK. */
    public static RawPacket connectAccepted(RawMqttClient c, Packets.Connect connect) {
        c.send(connect.build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.flags()).as("%s: CONNACK flags", c.name()).isZero();
        assertThat(connackProperties(connack).end()).as("%s: CONNACK property length", c.name())
                .isEqualTo(connack.body().length);
        assertThat(connack.body()[1] & 0xFF).as("%s: CONNACK reason code", c.name()).isZero();
        return connack;
    }

    /** Opens a raw client on {@code broker}, connects it with MQTT 5 and {@code props}, and asserts CONNACK 0x00. */
    public static RawMqttClient client(EmbeddedBrokerExtension broker, String clientId, boolean cleanStart,
                                       byte[]... props) {
        RawMqttClient c = broker.rawClient(clientId);
        connectAccepted(c, Packets.connect(clientId).cleanSession(cleanStart).mqtt5(props));
        return c;
    }

    /** Reads the next packet, which must be DISCONNECT with {@code reason}, and then the close. */
    public static RawPacket expectDisconnect(RawMqttClient c, int reason) {
        RawPacket d = c.expect(Packets.DISCONNECT);
        assertThat(d.flags()).as("%s: DISCONNECT flags", c.name()).isZero();
        assertThat(reason(d)).as("%s: DISCONNECT reason code of %s", c.name(), d).isEqualTo(reason);
        c.expectClosed();
        return d;
    }

    /**
     * Reads a refusal of a CONNECT: the server MAY send a CONNACK (which must then have a reason code of 0x80 or
     * more and Session Present 0) and MUST close. Returns the CONNACK's reason code, or -1 if it sent none.
     */
    public static int expectRefused(RawMqttClient c) {
        Optional<RawPacket> p = c.receiveUnlessClosed(RawMqttClient.TIMEOUT);
        if (p.isEmpty()) {
            return -1;
        }
        RawPacket connack = p.get();
        assertThat(connack.type()).as("%s: the only packet before the close, %s", c.name(), connack)
                .isEqualTo(Packets.CONNACK);
        int reason = connack.body()[1] & 0xFF;
        assertThat(reason).as("%s: CONNACK reason code", c.name()).isGreaterThanOrEqualTo(0x80);
        assertThat(connack.body()[0]).as("%s: CONNACK acknowledge flags (Session Present 0)", c.name()).isZero();
        c.expectClosed();
        return reason;
    }
}
