package io.cairn.persistence.file.internal;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes log records: {@code [magic u8][length u32][crc32c u32][type u8][payload]}, big-endian,
 * where {@code length} counts type and payload and the CRC-32C covers them. Every field of the SPI values is
 * written, so a decoded value equals the encoded one: strings as UTF-8 with a length (-1 for {@code null}),
 * byte arrays likewise, MQTT 5 properties field by field (a single 0 byte for {@link MessageProperties#NONE}).
 */
public final class Codec {

    /** The first byte of every record. */
    public static final byte MAGIC = (byte) 0xCA;
    /** magic + length + crc. */
    public static final int HEADER = 9;
    /** The largest type+payload length recovery accepts as sane. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 64;

    public static final byte SESSION_SAVE = 1;
    public static final byte SESSION_REMOVE = 2;
    public static final byte UPDATE_CONNECTION = 3;
    public static final byte PUT_SUBSCRIPTION = 4;
    public static final byte REMOVE_SUBSCRIPTION = 5;
    public static final byte ADD_OUTBOUND = 6;
    public static final byte UPDATE_OUTBOUND = 7;
    public static final byte REMOVE_OUTBOUND = 8;
    public static final byte ADD_INBOUND = 9;
    public static final byte REMOVE_INBOUND = 10;
    public static final byte SET_WILL = 11;
    public static final byte RETAINED_PUT = 12;
    public static final byte RETAINED_REMOVE = 13;
    static final byte LAST_TYPE = RETAINED_REMOVE;

    private static final OutboundState[] STATES = OutboundState.values();

    private Codec() {
    }

    /** Whether {@code type} names a record type this version writes. */
    public static boolean knownType(int type) {
        return type >= SESSION_SAVE && type <= LAST_TYPE;
    }

    /** The CRC-32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** The CRC-32C of the remaining bytes of {@code buffer} (its position is not changed). */
    public static int crc(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }

    // ---- records

    /** A record under construction: header space reserved, then type and payload. */
    public static Out record(byte type) {
        Out out = new Out(64);
        out.pos = HEADER;
        out.u8(type);
        return out;
    }

    static Out record(byte type, String clientId) {
        Out out = record(type);
        out.str(clientId);
        return out;
    }

    public static byte[] sessionSave(SessionState s, int[] itemBytes) {
        Out out = record(SESSION_SAVE, s.clientId());
        out.i64(s.expiryInterval());
        out.i64(s.disconnectedAt());
        out.i32(s.subscriptions().size());
        for (Subscription sub : s.subscriptions()) {
            subscription(out, sub);
        }
        out.i32(s.outbound().size());
        int i = 0;
        for (OutboundMessage m : s.outbound()) {
            int start = out.pos;
            outbound(out, m);
            itemBytes[i++] = out.pos - start;
        }
        out.i32(s.inboundQos2().size());
        for (int id : s.inboundQos2()) {
            out.u16(id);
        }
        will(out, s.will());
        return out.finish();
    }

    public static byte[] clientOnly(byte type, String clientId) {
        return record(type, clientId).finish();
    }

    public static byte[] updateConnection(String clientId, long disconnectedAt, long expiry) {
        Out out = record(UPDATE_CONNECTION, clientId);
        out.i64(disconnectedAt);
        out.i64(expiry);
        return out.finish();
    }

    public static byte[] putSubscription(String clientId, Subscription sub) {
        Out out = record(PUT_SUBSCRIPTION, clientId);
        subscription(out, sub);
        return out.finish();
    }

    public static byte[] removeSubscription(String clientId, String filter) {
        Out out = record(REMOVE_SUBSCRIPTION, clientId);
        out.str(filter);
        return out.finish();
    }

    public static byte[] addOutbound(String clientId, OutboundMessage m) {
        Out out = record(ADD_OUTBOUND, clientId);
        outbound(out, m);
        return out.finish();
    }

    public static byte[] updateOutbound(String clientId, long sequence, int packetId, OutboundState state) {
        Out out = record(UPDATE_OUTBOUND, clientId);
        out.i64(sequence);
        out.u16(packetId);
        out.u8(state.ordinal());
        return out.finish();
    }

    public static byte[] removeOutbound(String clientId, long sequence) {
        Out out = record(REMOVE_OUTBOUND, clientId);
        out.i64(sequence);
        return out.finish();
    }

    public static byte[] inbound(byte type, String clientId, int packetId) {
        Out out = record(type, clientId);
        out.u16(packetId);
        return out.finish();
    }

    public static byte[] setWill(String clientId, StoredWill will) {
        Out out = record(SET_WILL, clientId);
        will(out, will);
        return out.finish();
    }

    public static byte[] retainedPut(Message m) {
        Out out = record(RETAINED_PUT);
        message(out, m);
        return out.finish();
    }

    public static byte[] retainedRemove(String topic) {
        Out out = record(RETAINED_REMOVE);
        out.str(topic);
        return out.finish();
    }

    // ---- values

    private static void subscription(Out out, Subscription s) {
        out.str(s.topicFilter());
        out.u8(s.qos().value());
        out.u8((s.noLocal() ? 1 : 0) | (s.retainAsPublished() ? 2 : 0));
        out.u8(s.retainHandling());
        out.i32(s.subscriptionIdentifier());
    }

    static Subscription subscription(In in) {
        String filter = in.str();
        QoS qos = QoS.of(in.u8());
        int flags = in.u8();
        int retainHandling = in.u8();
        return new Subscription(filter, qos, (flags & 1) != 0, (flags & 2) != 0, retainHandling, in.i32());
    }

    private static void outbound(Out out, OutboundMessage m) {
        out.i64(m.sequence());
        out.u16(m.packetId());
        out.u8(m.state().ordinal());
        out.i64(m.receivedAt());
        out.i32(m.subscriptionIds().size());
        for (int id : m.subscriptionIds()) {
            out.i32(id);
        }
        message(out, m.message());
    }

    static OutboundMessage outbound(In in) {
        long sequence = in.i64();
        int packetId = in.u16();
        OutboundState state = state(in.u8());
        long receivedAt = in.i64();
        int n = in.count();
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(in.i32());
        }
        return new OutboundMessage(sequence, message(in), packetId, state, receivedAt, ids);
    }

    static OutboundState state(int ordinal) {
        if (ordinal >= STATES.length) {
            throw new IllegalArgumentException("unknown outbound state " + ordinal);
        }
        return STATES[ordinal];
    }

    private static void will(Out out, StoredWill will) {
        if (will == null) {
            out.u8(0);
        } else {
            out.u8(1);
            out.i64(will.delaySeconds());
            message(out, will.message());
        }
    }

    static StoredWill will(In in) {
        if (in.u8() == 0) {
            return null;
        }
        long delay = in.i64();
        return new StoredWill(message(in), delay);
    }

    static void message(Out out, Message m) {
        out.str(m.topic());
        out.bytes(m.payload());
        out.u8(m.qos().value() | (m.retain() ? 4 : 0));
        MessageProperties p = m.properties();
        if (p == MessageProperties.NONE) {
            out.u8(0);
            return;
        }
        out.u8(1);
        out.i64(p.messageExpiryInterval());
        out.str(p.contentType());
        out.u8(p.utf8Payload() ? 1 : 0);
        out.str(p.responseTopic());
        out.bytes(p.correlationData());
        out.i32(p.userProperties().size());
        for (UserProperty u : p.userProperties()) {
            out.str(u.name());
            out.str(u.value());
        }
    }

    static Message message(In in) {
        String topic = in.strNonNull();
        ByteBuffer payload = in.slice();
        int flags = in.u8();
        QoS qos = QoS.of(flags & 3);
        boolean retain = (flags & 4) != 0;
        MessageProperties properties = MessageProperties.NONE;
        if (in.u8() != 0) {
            long expiry = in.i64();
            String contentType = in.str();
            boolean utf8 = in.u8() != 0;
            String responseTopic = in.str();
            ByteBuffer correlation = in.slice();
            int n = in.count();
            List<UserProperty> users = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                users.add(new UserProperty(in.strNonNull(), in.strNonNull()));
            }
            byte[] correlationBytes = null;
            if (correlation != null) {
                correlationBytes = new byte[correlation.remaining()];
                correlation.get(correlationBytes);
            }
            properties = MessageProperties.of(expiry, contentType, utf8, responseTopic, correlationBytes, users);
        }
        if (payload == null) {
            throw new IllegalArgumentException("message without payload");
        }
        return Message.of(topic, payload, qos, retain, properties);
    }

    /** Decodes a whole SESSION_SAVE payload (after the type byte); fills the encoded size of each message. */
    static SessionState sessionSave(In in, List<Integer> itemBytes) {
        String clientId = in.strNonNull();
        long expiry = in.i64();
        long disconnectedAt = in.i64();
        int n = in.count();
        List<Subscription> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            subs.add(subscription(in));
        }
        n = in.count();
        List<OutboundMessage> outbound = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int start = in.buffer.position();
            outbound.add(outbound(in));
            if (itemBytes != null) {
                itemBytes.add(in.buffer.position() - start);
            }
        }
        n = in.count();
        Set<Integer> inbound = new HashSet<>();
        for (int i = 0; i < n; i++) {
            inbound.add(in.u16());
        }
        StoredWill will = will(in);
        return new SessionState(clientId, expiry, disconnectedAt, subs, outbound, inbound, will);
    }

    /** A growable big-endian buffer. */
    public static final class Out {
        byte[] bytes;
        int pos;

        Out(int capacity) {
            bytes = new byte[capacity];
        }

        private void ensure(int n) {
            if (pos + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, pos + n));
            }
        }

        void u8(int v) {
            ensure(1);
            bytes[pos++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            bytes[pos++] = (byte) (v >>> 8);
            bytes[pos++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            putInt(bytes, pos, v);
            pos += 4;
        }

        void i64(long v) {
            i32((int) (v >>> 32));
            i32((int) v);
        }

        void str(String s) {
            if (s == null) {
                i32(-1);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            i32(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, pos, utf8.length);
            pos += utf8.length;
        }

        void bytes(ByteBuffer b) {
            if (b == null) {
                i32(-1);
                return;
            }
            int n = b.remaining();
            i32(n);
            ensure(n);
            b.duplicate().get(bytes, pos, n);
            pos += n;
        }

        /** Fills in the header and returns the whole record, exactly sized. */
        byte[] finish() {
            byte[] record = pos == bytes.length ? bytes : Arrays.copyOf(bytes, pos);
            record[0] = MAGIC;
            int length = pos - HEADER;
            putInt(record, 1, length);
            putInt(record, 5, crc(record, HEADER, length));
            return record;
        }
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Reads what {@link Out} wrote; throws {@link IllegalArgumentException} on anything malformed. */
    public static final class In {
        final ByteBuffer buffer;

        public In(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        int u8() {
            try {
                return buffer.get() & 0xFF;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int u16() {
            try {
                return buffer.getShort() & 0xFFFF;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int i32() {
            try {
                return buffer.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() {
            try {
                return buffer.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int count() {
            int n = i32();
            if (n < 0 || n > buffer.remaining()) {
                throw new IllegalArgumentException("bad count " + n);
            }
            return n;
        }

        /** The next length-prefixed bytes as a slice, or {@code null}. */
        ByteBuffer slice() {
            int n = i32();
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > buffer.remaining()) {
                throw new IllegalArgumentException("bad length " + n);
            }
            ByteBuffer slice = buffer.slice();
            slice.limit(n);
            buffer.position(buffer.position() + n);
            return slice;
        }

        String str() {
            ByteBuffer b = slice();
            return b == null ? null : StandardCharsets.UTF_8.decode(b).toString();
        }

        String strNonNull() {
            String s = str();
            if (s == null) {
                throw new IllegalArgumentException("missing string");
            }
            return s;
        }

        private static IllegalArgumentException truncated() {
            return new IllegalArgumentException("record payload ends early");
        }
    }
}
