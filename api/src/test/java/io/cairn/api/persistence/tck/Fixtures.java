package io.cairn.api.persistence.tck;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** Messages, subscriptions and sessions the contract suites store and read back. */
final class Fixtures {

    /** 2026-01-01T00:00:00Z in epoch milliseconds: a fixed clock keeps the fixtures deterministic. */
    static final long T0 = 1_767_225_600_000L;

    /** Bound on every wait for a store: futures, start gates, executor shutdown. */
    static final long TIMEOUT_SECONDS = 30;

    private Fixtures() {
    }

    /** Every byte value once, in order, so a store that treats the payload as text or signed bytes is caught. */
    static byte[] everyByteValue() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** A payload of {@code size} bytes in a pattern that repeats only every 251 bytes (a prime). */
    static byte[] patterned(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A message with a UTF-8 text payload and no MQTT 5 properties. */
    static Message text(String topic, String payload, QoS qos) {
        return Message.of(topic, utf8(payload), qos, false);
    }

    /** MQTT 5 properties with every field set, repeated user property names and non-ASCII text. */
    static MessageProperties everyProperty() {
        return MessageProperties.of(3_600, "application/octet-stream; v=\"1\"", true, "replies/\u00e9t\u00e9/\u4e2d",
                new byte[] {0, 1, (byte) 0x7F, (byte) 0x80, (byte) 0xFF},
                List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2"),
                        new UserProperty("\u043a\u043b\u044e\u0447",
                                "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435"),
                        new UserProperty("empty", ""), new UserProperty("", "no name")));
    }

    /** Properties at the edges of their ranges: the largest expiry, no content type, empty correlation data. */
    static MessageProperties edgeProperties() {
        return MessageProperties.of(0xFFFF_FFFFL, null, false, null, new byte[0],
                List.of(new UserProperty("order", "1"), new UserProperty("order", "0")));
    }

    /** A message whose payload holds every byte value and that carries every MQTT 5 property. */
    static Message rich(String topic, QoS qos, boolean retain) {
        return Message.of(topic, everyByteValue(), qos, retain, everyProperty());
    }

    /** A subscription that sets every MQTT 5 option away from its default. */
    static Subscription everyOption(String topicFilter) {
        return new Subscription(topicFilter, QoS.EXACTLY_ONCE, true, true, 2, 268_435_455);
    }

    static OutboundMessage queued(long sequence, Message message) {
        return new OutboundMessage(sequence, message, 0, OutboundState.QUEUED, T0 + sequence);
    }

    /**
     * A session that holds something of every kind: subscriptions with and without MQTT 5 options, outgoing
     * messages in all three states, incoming QoS 2 packet identifiers at both ends of the range, and a will.
     */
    static SessionState full(String clientId) {
        return new SessionState(clientId, 86_400, T0 + 42,
                List.of(Subscription.of("sensors/+/temperature", QoS.AT_LEAST_ONCE),
                        everyOption("$share/group/alerts/#"),
                        new Subscription("a/b", QoS.AT_MOST_ONCE, false, true, 1, 7)),
                List.of(queued(3, rich("sensors/1/temperature", QoS.AT_LEAST_ONCE, false))
                                .with(17, OutboundState.SENT),
                        queued(4, Message.of("alerts/fire", new byte[0], QoS.EXACTLY_ONCE, true, edgeProperties()))
                                .with(65_535, OutboundState.RELEASED),
                        queued(9, text("a/b", "queued \u2603", QoS.EXACTLY_ONCE)),
                        queued(10, Message.of("a/b", patterned(70_000), QoS.AT_LEAST_ONCE, false))),
                Set.of(1, 300, 65_535),
                new StoredWill(rich("clients/" + clientId + "/status", QoS.AT_LEAST_ONCE, true), 30));
    }
}
