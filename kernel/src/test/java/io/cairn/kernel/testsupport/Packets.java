package io.cairn.kernel.testsupport;

import static io.cairn.kernel.testsupport.Wire.concat;
import static io.cairn.kernel.testsupport.Wire.lengthPrefixed;
import static io.cairn.kernel.testsupport.Wire.u16;
import static io.cairn.kernel.testsupport.Wire.utf8;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds MQTT 3.1.1 control packets byte by byte (§3), valid by default, with knobs to make each one
 * malformed: any fixed-header flags, a declared remaining length that differs from the body, raw bytes in place
 * of a UTF-8 string, reserved bits, missing fields.
 */
public final class Packets {

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;

    private static final String[] NAMES = {"RESERVED(0)", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
        "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
        "RESERVED(15)"};

    private Packets() {
    }

    /** The name of a control packet type, for messages. */
    public static String typeName(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "TYPE(" + type + ")";
    }

    /** A CONNECT for MQTT 3.1.1 with {@code clientId}, clean session and a keep-alive of 60 seconds. */
    public static Connect connect(String clientId) {
        return new Connect(clientId);
    }

    /** A PUBLISH of {@code payload} (UTF-8) to {@code topic}; packet identifier 1 unless set, for QoS above 0. */
    public static Publish publish(String topic, int qos, String payload) {
        return new Publish(topic, qos, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A PUBLISH of {@code payload} to {@code topic}. */
    public static Publish publish(String topic, int qos, byte[] payload) {
        return new Publish(topic, qos, payload);
    }

    /** A SUBSCRIBE with {@code packetId} and no filters yet (add them with {@link Subscribe#filter}). */
    public static Subscribe subscribe(int packetId) {
        return new Subscribe(packetId);
    }

    /** A SUBSCRIBE with {@code packetId} for one filter at {@code qos}. */
    public static byte[] subscribe(int packetId, String filter, int qos) {
        return new Subscribe(packetId).filter(filter, qos).build();
    }

    /** An UNSUBSCRIBE with {@code packetId} for {@code filters}. */
    public static Unsubscribe unsubscribe(int packetId, String... filters) {
        Unsubscribe u = new Unsubscribe(packetId);
        for (String f : filters) {
            u.filter(f);
        }
        return u;
    }

    /** PUBACK for {@code packetId} (§3.4). */
    public static byte[] puback(int packetId) {
        return frame(PUBACK << 4, u16(packetId));
    }

    /** PUBREC for {@code packetId} (§3.5). */
    public static byte[] pubrec(int packetId) {
        return frame(PUBREC << 4, u16(packetId));
    }

    /** PUBREL for {@code packetId} with its mandatory flags 0010 (§3.6.1). */
    public static byte[] pubrel(int packetId) {
        return frame(PUBREL << 4 | 0x02, u16(packetId));
    }

    /** PUBCOMP for {@code packetId} (§3.7). */
    public static byte[] pubcomp(int packetId) {
        return frame(PUBCOMP << 4, u16(packetId));
    }

    /** PINGREQ (§3.12): type 12, flags 0, remaining length 0. */
    public static byte[] pingreq() {
        return Wire.bytes(PINGREQ << 4, 0x00);
    }

    /** DISCONNECT (§3.14): type 14, flags 0, remaining length 0. */
    public static byte[] disconnect() {
        return Wire.bytes(DISCONNECT << 4, 0x00);
    }

    /**
     * One MQTT 5 property (MQTT 5.0 §2.2.2.2): its identifier, then {@code value} as given (a one-, two- or
     * four-byte integer from {@link #u8}, {@code Wire.u16} or {@link #u32}, or a length-prefixed string or binary
     * from {@link #utf8} or {@link #binary}).
     */
    public static byte[] property(int id, byte[] value) {
        return concat(new byte[] {(byte) id}, value);
    }

    public static byte[] u8(int value) {
        return new byte[] {(byte) value};
    }

    public static byte[] u32(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public static byte[] utf8(String value) {
        return lengthPrefixed(value.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] binary(byte[] value) {
        return lengthPrefixed(value);
    }

    /** A packet with the given first byte (type and flags) and body; the remaining length is computed. */
    public static byte[] frame(int firstByte, byte[] body) {
        return concat(new byte[] {(byte) firstByte}, Wire.remainingLength(body.length), body);
    }

    /** Fields shared by every builder: type, flags and the remaining length, each overridable. */
    public abstract static class Builder<B extends Builder<B>> {
        private final int type;
        private Integer flagsOverride;
        private Integer remainingLengthOverride;

        Builder(int type) {
            this.type = type;
        }

        /** The flags this packet has when built correctly. */
        abstract int flags();

        /** The variable header and payload. */
        abstract byte[] body();

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Puts {@code flags} (low nibble of the first byte) in place of the correct flags. */
        public B fixedHeaderFlags(int flags) {
            this.flagsOverride = flags & 0x0F;
            return self();
        }

        /** Declares {@code length} as the remaining length whatever the body's real length is. */
        public B remainingLength(int length) {
            this.remainingLengthOverride = length;
            return self();
        }

        /** The packet's bytes. */
        public byte[] build() {
            byte[] body = body();
            int flags = flagsOverride != null ? flagsOverride : flags();
            int length = remainingLengthOverride != null ? remainingLengthOverride : body.length;
            return concat(new byte[] {(byte) (type << 4 | flags)}, Wire.remainingLength(length), body);
        }
    }

    /** CONNECT (§3.1). */
    public static final class Connect extends Builder<Connect> {
        private byte[] protocolName = "MQTT".getBytes(StandardCharsets.US_ASCII);
        private int protocolLevel = 4;
        private boolean cleanSession = true;
        private int keepAlive = 60;
        private boolean reserved;
        private byte[] clientId;
        private boolean willFlag;
        private int willQos;
        private boolean willRetain;
        private byte[] willTopic;
        private byte[] willMessage;
        private boolean usernameFlag;
        private byte[] username;
        private boolean passwordFlag;
        private byte[] password;
        private byte[] properties = new byte[0];
        private byte[] willProperties = new byte[0];

        Connect(String clientId) {
            super(CONNECT);
            this.clientId = clientId.getBytes(StandardCharsets.UTF_8);
        }

        /** MQTT 3.1 (protocol name {@code MQIsdp}, level 3). */
        public Connect mqtt31() {
            return protocolName("MQIsdp").protocolLevel(3);
        }

        /**
         * MQTT 5 (level 5) with these CONNECT properties, each made by {@link #property}; a will gets the will
         * properties of {@link #willProperties} (none by default).
         */
        public Connect mqtt5(byte[]... props) {
            this.properties = concat(props);
            return protocolLevel(5);
        }

        /** MQTT 5 will properties, each made by {@link #property}. */
        public Connect willProperties(byte[]... props) {
            this.willProperties = concat(props);
            return this;
        }

        public Connect protocolName(String name) {
            this.protocolName = name.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Connect protocolLevel(int level) {
            this.protocolLevel = level;
            return this;
        }

        public Connect cleanSession(boolean clean) {
            this.cleanSession = clean;
            return this;
        }

        public Connect keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        /** Sets the reserved bit 0 of the connect flags, which MUST be zero (MQTT-3.1.2-3). */
        public Connect reservedFlag(boolean set) {
            this.reserved = set;
            return this;
        }

        /** The client identifier as raw bytes (possibly ill-formed UTF-8). */
        public Connect clientIdBytes(byte[] raw) {
            this.clientId = raw.clone();
            return this;
        }

        /** A will: sets the will flag, its QoS and retain bits and the will topic and message fields. */
        public Connect will(String topic, String message, int qos, boolean retain) {
            this.willFlag = true;
            this.willQos = qos;
            this.willRetain = retain;
            this.willTopic = topic.getBytes(StandardCharsets.UTF_8);
            this.willMessage = message.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Sets only the will flag bit; without {@link #will} the will fields are absent. */
        public Connect willFlag(boolean set) {
            this.willFlag = set;
            return this;
        }

        /** Sets only the will QoS bits (any value 0-3), with or without a will. */
        public Connect willQos(int qos) {
            this.willQos = qos;
            return this;
        }

        /** Sets only the will retain bit, with or without a will. */
        public Connect willRetain(boolean set) {
            this.willRetain = set;
            return this;
        }

        /** A user name: sets the user name flag and the field. */
        public Connect username(String name) {
            this.usernameFlag = true;
            this.username = name.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Sets only the user name flag bit; without {@link #username} the field is absent. */
        public Connect usernameFlag(boolean set) {
            this.usernameFlag = set;
            return this;
        }

        /** A password: sets the password flag and the field. */
        public Connect password(String value) {
            this.passwordFlag = true;
            this.password = value.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        @Override
        int flags() {
            return 0;
        }

        /** The connect flags byte (§3.1.2.3). */
        int connectFlags() {
            int f = 0;
            if (usernameFlag) {
                f |= 0x80;                          // bit 7: user name flag
            }
            if (passwordFlag) {
                f |= 0x40;                          // bit 6: password flag
            }
            if (willRetain) {
                f |= 0x20;                          // bit 5: will retain
            }
            f |= (willQos & 0x03) << 3;             // bits 4-3: will QoS
            if (willFlag) {
                f |= 0x04;                          // bit 2: will flag
            }
            if (cleanSession) {
                f |= 0x02;                          // bit 1: clean session
            }
            if (reserved) {
                f |= 0x01;                          // bit 0: reserved
            }
            return f;
        }

        @Override
        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(lengthPrefixed(protocolName));   // protocol name
            out.write(protocolLevel);                        // protocol level
            out.write(connectFlags());                       // connect flags
            out.writeBytes(u16(keepAlive));                  // keep alive
            if (protocolLevel >= 5) {
                out.writeBytes(Wire.remainingLength(properties.length)); // MQTT 5: property length
                out.writeBytes(properties);                              // and the properties
            }
            out.writeBytes(lengthPrefixed(clientId));        // payload: client identifier
            if (willTopic != null && protocolLevel >= 5) {
                out.writeBytes(Wire.remainingLength(willProperties.length)); // MQTT 5: will properties
                out.writeBytes(willProperties);
            }
            if (willTopic != null) {
                out.writeBytes(lengthPrefixed(willTopic));   // will topic
                out.writeBytes(lengthPrefixed(willMessage)); // will message
            }
            if (username != null) {
                out.writeBytes(lengthPrefixed(username));    // user name
            }
            if (password != null) {
                out.writeBytes(lengthPrefixed(password));    // password
            }
            return out.toByteArray();
        }
    }

    /** PUBLISH (§3.3). */
    public static final class Publish extends Builder<Publish> {
        private byte[] topic;
        private final int qos;
        private final byte[] payload;
        private boolean dup;
        private boolean retain;
        private int packetId = 1;
        private boolean omitPacketId;

        Publish(String topic, int qos, byte[] payload) {
            super(PUBLISH);
            this.topic = topic.getBytes(StandardCharsets.UTF_8);
            this.qos = qos;
            this.payload = payload.clone();
        }

        /** The topic name as raw bytes (possibly ill-formed UTF-8). */
        public Publish topicBytes(byte[] raw) {
            this.topic = raw.clone();
            return this;
        }

        public Publish dup(boolean set) {
            this.dup = set;
            return this;
        }

        public Publish retain(boolean set) {
            this.retain = set;
            return this;
        }

        /** The packet identifier, written for QoS above 0 (any value, 0 included). */
        public Publish packetId(int id) {
            this.packetId = id;
            return this;
        }

        /** Leaves the packet identifier out even though the QoS calls for one. */
        public Publish omitPacketId() {
            this.omitPacketId = true;
            return this;
        }

        @Override
        int flags() {
            return (dup ? 0x08 : 0) | (qos & 0x03) << 1 | (retain ? 0x01 : 0);
        }

        @Override
        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(lengthPrefixed(topic));           // topic name
            if (qos > 0 && !omitPacketId) {
                out.writeBytes(u16(packetId));               // packet identifier
            }
            out.writeBytes(payload);                         // payload, to the end of the packet
            return out.toByteArray();
        }
    }

    /** SUBSCRIBE (§3.8). */
    public static final class Subscribe extends Builder<Subscribe> {
        private final int packetId;
        private final List<byte[]> entries = new ArrayList<>();

        Subscribe(int packetId) {
            super(SUBSCRIBE);
            this.packetId = packetId;
        }

        /** Adds {@code filter} with requested QoS {@code qos}. */
        public Subscribe filter(String filter, int qos) {
            entries.add(concat(utf8(filter), new byte[] {(byte) qos}));
            return this;
        }

        /** Adds a filter given as raw string bytes, followed by a raw requested-QoS byte (reserved bits too). */
        public Subscribe filterBytes(byte[] rawFilter, int requestedQosByte) {
            entries.add(concat(lengthPrefixed(rawFilter), new byte[] {(byte) requestedQosByte}));
            return this;
        }

        @Override
        int flags() {
            return 0x02;                                     // reserved flags 0010 (MQTT-3.8.1-1)
        }

        @Override
        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(u16(packetId));                   // packet identifier
            entries.forEach(out::writeBytes);                // topic filter + requested QoS, repeated
            return out.toByteArray();
        }
    }

    /** UNSUBSCRIBE (§3.10). */
    public static final class Unsubscribe extends Builder<Unsubscribe> {
        private final int packetId;
        private final List<byte[]> filters = new ArrayList<>();

        Unsubscribe(int packetId) {
            super(UNSUBSCRIBE);
            this.packetId = packetId;
        }

        public Unsubscribe filter(String filter) {
            filters.add(utf8(filter));
            return this;
        }

        @Override
        int flags() {
            return 0x02;                                     // reserved flags 0010 (MQTT-3.10.1-1)
        }

        @Override
        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(u16(packetId));                   // packet identifier
            filters.forEach(out::writeBytes);                // topic filters, back to back
            return out.toByteArray();
        }
    }
}
