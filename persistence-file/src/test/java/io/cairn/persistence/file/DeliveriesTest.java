package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Delivery;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.persistence.file.RecoveryReport.Kind;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SessionStore#addDeliveries}: the routing of one message — the publisher's QoS 2 packet id and a copy for
 * each session — is one record: it survives a crash whole, a torn one leaves nothing of it, and compaction moves
 * its parts like any other.
 */
class DeliveriesTest {

    @TempDir
    Path dir;

    private FileStoreSettings settings() {
        return FileStoreSettings.defaults(dir.resolve("store")).withCompactionThreshold(0);
    }

    private static List<Delivery> copies(long sequence, String... clients) {
        List<Delivery> list = new ArrayList<>();
        for (String c : clients) {
            list.add(new Delivery(c, Samples.queued(sequence,
                    Samples.text("orders/" + sequence, "m" + sequence, QoS.EXACTLY_ONCE))));
        }
        return list;
    }

    private static void sessions(SessionStore store, String... clients) {
        for (String c : clients) {
            store.save(SessionState.empty(c, SessionState.NEVER_EXPIRES));
        }
    }

    @Test
    @DisplayName("the packet id goes to the publisher, each copy to its session; sessions not held are skipped")
    void partsGoWhereTheyBelong() throws Exception {
        try (FileStore store = FileStore.open(settings())) {
            sessions(store.sessions(), "writer", "a", "b");
            store.sessions().addDeliveries("writer", 7, copies(1, "a", "b", "gone"));

            assertThat(store.sessions().load("writer").orElseThrow().inboundQos2()).containsExactly(7);
            for (String c : List.of("a", "b")) {
                assertThat(store.sessions().load(c).orElseThrow().outbound()).singleElement().satisfies(m -> {
                    assertThat(m.sequence()).isEqualTo(1);
                    assertThat(m.state()).isEqualTo(OutboundState.QUEUED);
                    assertThat(m.message().topic()).isEqualTo("orders/1");
                });
            }
            assertThat(store.sessions().load("gone")).isEmpty();

            store.sessions().updateOutbound("a", 1, 9, OutboundState.SENT);
            store.sessions().removeOutbound("b", 1);
            store.sessions().removeInboundQos2("writer", 7);
            Samples.sync(store);
        }
        try (FileStore store = FileStore.open(settings())) {
            assertThat(store.recovery().clean()).isTrue();
            assertThat(store.sessions().load("writer").orElseThrow().inboundQos2()).isEmpty();
            assertThat(store.sessions().load("a").orElseThrow().outbound()).singleElement()
                    .satisfies(m -> assertThat(m.state()).isEqualTo(OutboundState.SENT));
            assertThat(store.sessions().load("b").orElseThrow().outbound()).isEmpty();
        }
    }

    @Test
    @DisplayName("a DELIVERIES record torn by a crash leaves neither the packet id nor any copy")
    void tornRecordLeavesNothing() throws Exception {
        Path segment;
        long before;
        try (FileStore store = FileStore.open(settings())) {
            sessions(store.sessions(), "writer", "a", "b", "c");
            Samples.sync(store);
            segment = Samples.segments(settings().directory()).get(0);
            before = Files.size(segment);
            store.sessions().addDeliveries("writer", 3, copies(1, "a", "b", "c"));
            Samples.sync(store);
        }
        long after = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(before + (after - before) * 2 / 3); // cut inside the record, after some copies
        }

        try (FileStore store = FileStore.open(settings())) {
            assertThat(store.recovery().problems()).singleElement()
                    .satisfies(p -> assertThat(p.kind()).isEqualTo(Kind.TRUNCATED_TAIL));
            assertThat(store.sessions().load("writer").orElseThrow().inboundQos2()).isEmpty();
            for (String c : List.of("a", "b", "c")) {
                assertThat(store.sessions().load(c).orElseThrow().outbound()).as(c).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("compaction moves copies and packet ids out of DELIVERIES records; the state stays the same")
    void compactionKeepsTheParts() throws Exception {
        Map<String, SessionState> expected;
        try (FileStore store = FileStore.open(settings())) {
            sessions(store.sessions(), "writer", "a", "b");
            for (int i = 1; i <= 200; i++) {
                store.sessions().addDeliveries("writer", i, copies(i, "a", "b"));
                if (i % 2 == 0) {
                    store.sessions().removeOutbound("a", i);
                    store.sessions().removeInboundQos2("writer", i);
                }
            }
            store.sessions().updateOutbound("b", 3, 11, OutboundState.RELEASED);
            expected = Samples.sessions(store.sessions());
            store.compactNow();
            assertThat(Samples.sessions(store.sessions())).isEqualTo(expected);
        }
        try (FileStore store = FileStore.open(settings())) {
            assertThat(store.recovery().clean()).isTrue();
            assertThat(Samples.sessions(store.sessions())).isEqualTo(expected);
            OutboundMessage released = store.sessions().load("b").orElseThrow().outbound().get(2);
            assertThat(released.state()).isEqualTo(OutboundState.RELEASED);
            assertThat(store.sessions().load("writer").orElseThrow().inboundQos2()).hasSize(100);
        }
    }
}
