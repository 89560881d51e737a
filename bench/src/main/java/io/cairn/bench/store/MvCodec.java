package io.cairn.bench.store;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The byte layouts {@link MvStoreStores} keeps in its MVMaps: an outgoing message, a retained message (without
 * its topic, which is the key) and a session header (everything of a session but its outgoing messages).
 *
 * <p>Strings are written char by char in the modified UTF-8 of {@link java.io.DataOutput#writeUTF} (one byte
 * for ASCII, every UTF-16 unit on its own, lone surrogates included) behind a varint char count, so every Java
 * string comes back exactly and there is no 64 KiB limit. Integers are varints where they are usually small.
 */
final class MvCodec {

    /** Offset of the state byte in an encoded outgoing message; the packet id follows as two bytes. */
    static final int STATE_OFFSET = 0;

    private static final OutboundState[] STATES = OutboundState.values();

    private MvCodec() {
    }

    // outgoing messages: [state][packet id, 2 bytes][receivedAt, 8 bytes][subscription ids][message]

    static byte[] outbound(OutboundMessage m) {
        Out out = new Out(m.message().payloadSize() + m.message().topic().length() + 24);
        out.write(m.state().ordinal());
        out.write(m.packetId() >>> 8);
        out.write(m.packetId());
        out.fixedLong(m.receivedAt());
        out.varInt(m.subscriptionIds().size());
        for (int id : m.subscriptionIds()) {
            out.varInt(id);
        }
        message(out, m.message(), true);
        return out.toByteArray();
    }

    static OutboundMessage outbound(long sequence, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        OutboundState state = STATES[in.get()];
        int packetId = ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
        long receivedAt = in.getLong();
        int ids = varInt(in);
        List<Integer> subscriptionIds = new ArrayList<>(ids);
        for (int i = 0; i < ids; i++) {
            subscriptionIds.add(varInt(in));
        }
        Message message = message(in, null);
        return new OutboundMessage(sequence, message, packetId, state, receivedAt, subscriptionIds);
    }

    /** A copy of an encoded outgoing message with another state and packet id; the rest is not decoded. */
    static byte[] withState(byte[] encoded, int packetId, OutboundState state) {
        byte[] copy = encoded.clone();
        copy[STATE_OFFSET] = (byte) state.ordinal();
        copy[STATE_OFFSET + 1] = (byte) (packetId >>> 8);
        copy[STATE_OFFSET + 2] = (byte) packetId;
        return copy;
    }

    // retained messages: the message without its topic

    static byte[] retained(Message m) {
        Out out = new Out(m.payloadSize() + 16);
        message(out, m, false);
        return out.toByteArray();
    }

    static Message retained(String topic, byte[] bytes) {
        return message(ByteBuffer.wrap(bytes), topic);
    }

    // session headers: [session key, 8 bytes][expiry][disconnectedAt][subscriptions][inbound ids][will]

    /** Everything of a session except its outgoing messages, which live in a map of their own. */
    record Header(long key, long expiryInterval, long disconnectedAt, List<Subscription> subscriptions,
                  Set<Integer> inboundQos2, StoredWill will) {

        Header withConnection(long newDisconnectedAt, long newExpiry) {
            return new Header(key, newExpiry, newDisconnectedAt, subscriptions, inboundQos2, will);
        }

        Header withSubscriptions(List<Subscription> newSubscriptions) {
            return new Header(key, expiryInterval, disconnectedAt, newSubscriptions, inboundQos2, will);
        }

        Header withInbound(Set<Integer> newInbound) {
            return new Header(key, expiryInterval, disconnectedAt, subscriptions, newInbound, will);
        }

        Header withWill(StoredWill newWill) {
            return new Header(key, expiryInterval, disconnectedAt, subscriptions, inboundQos2, newWill);
        }
    }

    static byte[] header(Header h) {
        Out out = new Out(64);
        out.fixedLong(h.key());
        out.varLong(h.expiryInterval());
        out.varLong(h.disconnectedAt());
        out.varInt(h.subscriptions().size());
        for (Subscription s : h.subscriptions()) {
            out.string(s.topicFilter());
            out.write(s.qos().value() | (s.noLocal() ? 4 : 0) | (s.retainAsPublished() ? 8 : 0)
                    | (s.retainHandling() << 4));
            out.varInt(s.subscriptionIdentifier());
        }
        out.varInt(h.inboundQos2().size());
        for (int id : h.inboundQos2()) {
            out.varInt(id);
        }
        if (h.will() == null) {
            out.write(0);
        } else {
            out.write(1);
            out.varLong(h.will().delaySeconds());
            message(out, h.will().message(), true);
        }
        return out.toByteArray();
    }

    /** The session key alone, without decoding the rest of the header. */
    static long headerKey(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    static Header header(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long key = in.getLong();
        long expiry = varLong(in);
        long disconnectedAt = varLong(in);
        int count = varInt(in);
        List<Subscription> subscriptions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String filter = string(in);
            int flags = in.get() & 0xFF;
            subscriptions.add(new Subscription(filter, QoS.of(flags & 3), (flags & 4) != 0, (flags & 8) != 0,
                    flags >>> 4, varInt(in)));
        }
        int ids = varInt(in);
        Set<Integer> inbound = new HashSet<>(ids * 2);
        for (int i = 0; i < ids; i++) {
            inbound.add(varInt(in));
        }
        StoredWill will = null;
        if (in.get() != 0) {
            long delay = varLong(in);
            will = new StoredWill(message(in, null), delay);
        }
        return new Header(key, expiry, disconnectedAt, subscriptions, inbound, will);
    }

    // messages: [topic][flags: qos, retain, has properties][payload][properties]

    private static void message(Out out, Message m, boolean withTopic) {
        if (withTopic) {
            out.string(m.topic());
        }
        MessageProperties p = m.properties();
        boolean props = p != MessageProperties.NONE;
        out.write(m.qos().value() | (m.retain() ? 4 : 0) | (props ? 8 : 0));
        byte[] payload = m.payloadBytes();
        out.varInt(payload.length);
        out.write(payload, 0, payload.length);
        if (props) {
            out.varLong(p.messageExpiryInterval() + 1);
            out.nullableString(p.contentType());
            out.write(p.utf8Payload() ? 1 : 0);
            out.nullableString(p.responseTopic());
            ByteBuffer correlation = p.correlationData();
            if (correlation == null) {
                out.varInt(0);
            } else {
                out.varInt(correlation.remaining() + 1);
                out.buffer(correlation);
            }
            out.varInt(p.userProperties().size());
            for (UserProperty u : p.userProperties()) {
                out.string(u.name());
                out.string(u.value());
            }
        }
    }

    private static Message message(ByteBuffer in, String knownTopic) {
        String topic = knownTopic != null ? knownTopic : string(in);
        int flags = in.get() & 0xFF;
        byte[] payload = new byte[varInt(in)];
        in.get(payload);
        MessageProperties properties = MessageProperties.NONE;
        if ((flags & 8) != 0) {
            long expiry = varLong(in) - 1;
            String contentType = nullableString(in);
            boolean utf8 = in.get() != 0;
            String responseTopic = nullableString(in);
            int correlationLength = varInt(in);
            byte[] correlation = null;
            if (correlationLength > 0) {
                correlation = new byte[correlationLength - 1];
                in.get(correlation);
            }
            int count = varInt(in);
            List<UserProperty> user = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                user.add(new UserProperty(string(in), string(in)));
            }
            properties = MessageProperties.of(expiry, contentType, utf8, responseTopic, correlation, user);
        }
        return Message.of(topic, payload, QoS.of(flags & 3), (flags & 4) != 0, properties);
    }

    // primitives

    static int varInt(ByteBuffer in) {
        return (int) varLong(in);
    }

    static long varLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
    }

    private static String nullableString(ByteBuffer in) {
        return in.get() == 0 ? null : string(in);
    }

    static String string(ByteBuffer in) {
        int length = varInt(in);
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            int b = in.get() & 0xFF;
            if (b < 0x80) {
                chars[i] = (char) b;
            } else if (b < 0xE0) {
                chars[i] = (char) (((b & 0x1F) << 6) | (in.get() & 0x3F));
            } else {
                chars[i] = (char) (((b & 0x0F) << 12) | ((in.get() & 0x3F) << 6) | (in.get() & 0x3F));
            }
        }
        return new String(chars);
    }

    /** A growable byte array with the writers the layouts need. */
    static final class Out extends ByteArrayOutputStream {

        Out(int size) {
            super(size);
        }

        void fixedLong(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                write((int) (v >>> shift));
            }
        }

        void varInt(int v) {
            varLong(v & 0xFFFF_FFFFL);
        }

        void varLong(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void buffer(ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            write(copy, 0, copy.length);
        }

        void nullableString(String s) {
            if (s == null) {
                write(0);
            } else {
                write(1);
                string(s);
            }
        }

        void string(String s) {
            int length = s.length();
            varInt(length);
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                if (c != 0 && c < 0x80) {
                    write(c);
                } else if (c < 0x800) {
                    write(0xC0 | (c >> 6));
                    write(0x80 | (c & 0x3F));
                } else {
                    write(0xE0 | (c >> 12));
                    write(0x80 | ((c >> 6) & 0x3F));
                    write(0x80 | (c & 0x3F));
                }
            }
        }
    }
}
