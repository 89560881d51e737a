package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Sessions and messages with every field set, and helpers to compare whole stores. */
final class Samples {

    static final long T0 = 1_767_225_600_000L;

    private Samples() {
    }

    static byte[] everyByteValue() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    static byte[] patterned(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    /** Every MQTT 5 property set, repeated and non-ASCII user properties. */
    static MessageProperties everyProperty() {
        return MessageProperties.of(3_600, "application/json; charset=\"utf-8\"", true, "replies/\u00e9t\u00e9/\u4e2d",
                new byte[] {0, 1, (byte) 0x7F, (byte) 0x80, (byte) 0xFF},
                List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2"),
                        new UserProperty("\u043a\u043b\u044e\u0447", "\u0437\u043d\u0430\u0447"),
                        new UserProperty("empty", ""), new UserProperty("", "no name")));
    }

    /** The edges: largest expiry, no content type, empty (not absent) correlation data. */
    static MessageProperties edgeProperties() {
        return MessageProperties.of(0xFFFF_FFFFL, null, false, null, new byte[0],
                List.of(new UserProperty("order", "1"), new UserProperty("order", "0")));
    }

    static Message rich(String topic, QoS qos, boolean retain) {
        return Message.of(topic, everyByteValue(), qos, retain, everyProperty());
    }

    static Message text(String topic, String payload, QoS qos) {
        return Message.of(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    static OutboundMessage queued(long sequence, Message message) {
        return new OutboundMessage(sequence, message, 0, OutboundState.QUEUED, T0 + sequence);
    }

    /** A session holding something of every kind, outbound messages in all three states among them. */
    static SessionState full(String clientId) {
        return new SessionState(clientId, 86_400, T0 + 42,
                List.of(Subscription.of("sensors/+/temperature", QoS.AT_LEAST_ONCE),
                        new Subscription("$share/g/alerts/#", QoS.EXACTLY_ONCE, true, true, 2, 268_435_455),
                        new Subscription("a/b", QoS.AT_MOST_ONCE, false, true, 1, 7)),
                List.of(new OutboundMessage(3, rich("sensors/1/temperature", QoS.AT_LEAST_ONCE, false), 17,
                                OutboundState.SENT, T0 + 3, List.of(7, 268_435_455)),
                        queued(4, Message.of("alerts/fire", new byte[0], QoS.EXACTLY_ONCE, true, edgeProperties()))
                                .with(65_535, OutboundState.RELEASED),
                        queued(9, text("a/b", "queued \u2603", QoS.EXACTLY_ONCE)),
                        queued(10, Message.of("a/b", patterned(70_000), QoS.AT_LEAST_ONCE, false))),
                Set.of(1, 300, 65_535),
                new StoredWill(rich("clients/" + clientId + "/status", QoS.AT_LEAST_ONCE, true), 30));
    }

    /** Every session of the store by client id. */
    static Map<String, SessionState> sessions(SessionStore store) {
        Map<String, SessionState> all = new TreeMap<>();
        store.forEach(s -> all.put(s.clientId(), s));
        return all;
    }

    /** Every retained message of the store by topic. */
    static Map<String, Message> retained(RetainedStore store) {
        Map<String, Message> all = new TreeMap<>();
        store.forEach(m -> all.put(m.topic(), m));
        return all;
    }

    static void sync(FileStore store) throws Exception {
        store.sessions().sync().toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.retained().sync().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Copies the segment files (as a crash would leave them, the lock aside) into {@code target}. */
    static void copySegments(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith("segment-")) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
    }

    static List<Path> segments(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    static void assertSameStores(FileStore actual, Map<String, SessionState> sessions, Map<String, Message> retained) {
        assertThat(sessions(actual.sessions())).isEqualTo(sessions);
        assertThat(retained(actual.retained())).isEqualTo(retained);
        assertThat(actual.sessions().size()).isEqualTo(sessions.size());
        assertThat(actual.retained().size()).isEqualTo(retained.size());
    }
}
