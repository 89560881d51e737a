package io.cairn.kernel.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * MQTT 5 packets for {@link RawMqttClient} tests that need exact bytes: SUBSCRIBE with options, acknowledgements
 * with a reason code, and PUBLISH packets read with their property block.
 */
public final class Raw5 {

    private Raw5() {
    }

    /** SUBSCRIBE of one filter, no properties, with the option byte {@code options} (QoS in bits 0-1). */
    public static byte[] subscribe(int packetId, String filter, int options) {
        return Packets.frame(0x82, Wire.concat(Wire.u16(packetId), new byte[] {0},
                Wire.lengthPrefixed(filter.getBytes(StandardCharsets.UTF_8)), new byte[] {(byte) options}));
    }

    /** UNSUBSCRIBE of one filter, no properties. */
    public static byte[] unsubscribe(int packetId, String filter) {
        return Packets.frame(0xA2, Wire.concat(Wire.u16(packetId), new byte[] {0},
                Wire.lengthPrefixed(filter.getBytes(StandardCharsets.UTF_8))));
    }

    /** PUBACK ({@code type} 0x40), PUBREC (0x50), PUBREL (0x62) or PUBCOMP (0x70) with a reason code. */
    public static byte[] ack(int type, int packetId, int reason) {
        return Packets.frame(type, Wire.concat(Wire.u16(packetId), new byte[] {(byte) reason}));
    }

    /** A PUBLISH as an MQTT 5 client sees it. */
    public record Publish(String topic, int qos, boolean dup, boolean retain, int packetId, byte[] properties,
                          byte[] payload) {

        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The Topic Alias property, or 0 if there is none. */
        public int topicAlias() {
            byte[] b = properties;
            for (int at = 0; at < b.length; ) {
                int id = b[at++] & 0xFF;
                switch (id) {
                    case 0x01 -> at += 1;                                   // Payload Format Indicator
                    case 0x02 -> at += 4;                                   // Message Expiry Interval
                    case 0x23 -> {
                        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);  // Topic Alias
                    }
                    case 0x0B -> {                                          // Subscription Identifier
                        while ((b[at++] & 0x80) != 0) {
                            // a Variable Byte Integer
                        }
                    }
                    case 0x26 -> {                                          // User Property: two strings
                        at += 2 + (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF));
                        at += 2 + (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF));
                    }
                    default -> at += 2 + (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF)); // strings, binary data
                }
            }
            return 0;
        }

        @Override
        public String toString() {
            return "PUBLISH[topic=" + topic + ", qos=" + qos + ", dup=" + dup + ", id=" + packetId + ", payload="
                    + payloadText() + "]";
        }
    }

    /** Reads {@code p}, which must be a PUBLISH to an MQTT 5 client. */
    public static Publish publish(RawPacket p) {
        if (p.type() != Packets.PUBLISH) {
            throw new AssertionError("expected PUBLISH but received " + p);
        }
        byte[] b = p.body();
        int topicLength = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        String topic = new String(b, 2, topicLength, StandardCharsets.UTF_8);
        int at = 2 + topicLength;
        int qos = (p.flags() >> 1) & 0x03;
        int packetId = 0;
        if (qos > 0) {
            packetId = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
            at += 2;
        }
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at++] & 0xFF;
            length |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                break;
            }
        }
        byte[] properties = Arrays.copyOfRange(b, at, at + length);
        byte[] payload = Arrays.copyOfRange(b, at + length, b.length);
        return new Publish(topic, qos, (p.flags() & 0x08) != 0, (p.flags() & 0x01) != 0, packetId, properties,
                payload);
    }

    /** Reads the next packet of {@code c}, which must be a PUBLISH. */
    public static Publish expectPublish(RawMqttClient c) {
        return publish(c.expect(Packets.PUBLISH));
    }
}
