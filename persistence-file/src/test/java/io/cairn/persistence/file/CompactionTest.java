package io.cairn.persistence.file;

import static io.cairn.persistence.file.Samples.assertSameStores;
import static io.cairn.persistence.file.Samples.queued;
import static io.cairn.persistence.file.Samples.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction reclaims superseded records and changes nothing a reader can see. */
class CompactionTest {

    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    /** Many sessions queue, send, acknowledge and drop messages; retained topics are replaced over and over. */
    private static void churn(FileStore store, int rounds) {
        SessionStore s = store.sessions();
        for (int c = 0; c < 10; c++) {
            s.save(SessionState.empty("client-" + c, 3_600));
            s.putSubscription("client-" + c, io.cairn.api.persistence.Subscription.of("t/#", QoS.AT_LEAST_ONCE));
        }
        long seq = 0;
        for (int round = 0; round < rounds; round++) {
            for (int c = 0; c < 10; c++) {
                String id = "client-" + c;
                long sequence = ++seq;
                s.addOutbound(id, queued(sequence, Message.of("t/" + round, Samples.patterned(500),
                        QoS.EXACTLY_ONCE, false)));
                s.updateOutbound(id, sequence, (int) (sequence % 65_535) + 1, OutboundState.SENT);
                if (round % 10 != 0) {
                    s.updateOutbound(id, sequence, (int) (sequence % 65_535) + 1, OutboundState.RELEASED);
                    s.removeOutbound(id, sequence);
                }
                s.addInboundQos2(id, round % 100 + 1);
                s.removeInboundQos2(id, round % 100 + 1);
            }
            store.retained().put(Message.of("r/" + round % 20, Samples.patterned(300 + round % 7), QoS.AT_LEAST_ONCE,
                    true));
            if (round % 50 == 49) {
                s.remove("client-9");
                s.save(SessionState.empty("client-9", 60));
            }
        }
    }

    private static long liveBytesEstimate(Map<String, SessionState> sessions, Map<String, Message> retained) {
        long bytes = 0;
        for (SessionState s : sessions.values()) {
            bytes += 200 + s.outbound().stream().mapToLong(m -> m.message().payloadSize() + 100).sum();
        }
        for (Message m : retained.values()) {
            bytes += m.payloadSize() + 100;
        }
        return bytes;
    }

    @Test
    @DisplayName("compactNow brings disk bytes down to near the live size; contents stay identical, also after reopen")
    void compactNowReclaims() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(SEGMENT)
                .withCompactionThreshold(0);
        Map<String, SessionState> sessions;
        Map<String, Message> retained;
        try (FileStore store = FileStore.open(settings)) {
            churn(store, 500);
            Samples.sync(store);
            sessions = Samples.sessions(store.sessions());
            retained = Samples.retained(store.retained());
            long before = store.diskBytes();
            long live = liveBytesEstimate(sessions, retained);
            assertThat(before).as("disk bytes before compaction").isGreaterThan(5 * live);

            store.compactNow();

            long after = store.diskBytes();
            assertThat(after).as("disk bytes after compaction (before: %d, live about %d)", before, live)
                    .isLessThan(2 * live);
            assertThat(Samples.segments(dir)).hasSizeLessThanOrEqualTo((int) (after / SEGMENT) + 2);
            assertSameStores(store, sessions, retained);
            assertThat(sessions.get("client-0").outbound()).hasSize(50);
        }
        try (FileStore reopened = FileStore.open(settings)) {
            assertThat(reopened.recovery().clean()).as("problems %s", reopened.recovery().problems()).isTrue();
            assertSameStores(reopened, sessions, retained);
        }
    }

    @Test
    @DisplayName("background compaction keeps the log near its live size while the store is in use")
    void backgroundCompaction() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(SEGMENT);
        try (FileStore store = FileStore.open(settings)) {
            churn(store, 500);
            Samples.sync(store);
            Map<String, SessionState> sessions = Samples.sessions(store.sessions());
            Map<String, Message> retained = Samples.retained(store.retained());
            long live = liveBytesEstimate(sessions, retained);

            // the compactor checks at least once a second; at threshold 0.5 the closed segments end up at most
            // twice the live bytes, plus the active segment
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(store.diskBytes())
                    .isLessThan(2 * live + 2L * SEGMENT));
            assertSameStores(store, sessions, retained);
        }
    }

    @Test
    @DisplayName("a crash between writing the compacted copies and deleting the old segment loses nothing")
    void crashDuringCompaction(@TempDir Path crashed) throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(SEGMENT)
                .withCompactionThreshold(0);
        Map<String, SessionState> sessions;
        Map<String, Message> retained;
        try (FileStore store = FileStore.open(settings)) {
            churn(store, 300);
            Samples.sync(store);
            sessions = Samples.sessions(store.sessions());
            retained = Samples.retained(store.retained());
            Samples.copySegments(dir, crashed);
            store.compactNow();
            Samples.sync(store);
            // the new segments hold the copies; the old ones, as copied before, were not deleted yet
            for (Path segment : Samples.segments(dir)) {
                Files.copy(segment, crashed.resolve(segment.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<Path> files = Samples.segments(crashed);
        assertThat(files.size()).isGreaterThan(Samples.segments(dir).size());

        try (FileStore reopened = FileStore.open(settings.withCompactionThreshold(0).withSegmentBytes(SEGMENT))) {
            assertThat(reopened.recovery().clean()).as("problems %s", reopened.recovery().problems()).isTrue();
        }
        try (FileStore reopened = FileStore.open(new FileStoreSettings(crashed, settings.durability(),
                settings.fsyncIntervalMillis(), SEGMENT, 0))) {
            assertThat(reopened.recovery().clean()).as("problems %s", reopened.recovery().problems()).isTrue();
            assertSameStores(reopened, sessions, retained);
        }
    }

    @Test
    @DisplayName("compacting one segment at a time moves only its live records; every step reopens to the same state")
    void stepwiseCompactionMovesOnlyLiveRecords() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(8 * 1024)
                .withCompactionThreshold(0);
        try (FileStore store = FileStore.open(settings)) {
            SessionStore s = store.sessions();
            s.save(Samples.full("x"));
            for (long seq = 11; seq <= 60; seq++) {
                s.addOutbound("x", queued(seq, Message.of("t", Samples.patterned(700), QoS.AT_LEAST_ONCE, false)));
                if (seq % 3 == 0) {
                    s.updateOutbound("x", seq, (int) seq, OutboundState.SENT);
                }
                if (seq % 5 == 0) {
                    s.removeOutbound("x", seq);
                }
                if (seq % 10 == 0) {
                    s.putSubscription("x", io.cairn.api.persistence.Subscription.of("s/" + seq, QoS.AT_LEAST_ONCE));
                    s.updateConnection("x", seq, seq * 10);
                    s.addInboundQos2("x", (int) seq);
                }
            }
            s.removeOutbound("x", 3);
            Samples.sync(store);
        }
        SessionState expected;
        try (FileStore store = FileStore.open(settings)) {
            expected = store.sessions().load("x").orElseThrow();
        }
        for (int step = 0; step < 6; step++) {
            long before;
            try (FileStore store = FileStore.open(settings)) {
                assertThat(store.recovery().clean()).as("problems %s", store.recovery().problems()).isTrue();
                SessionStoreAssert.assertSame(store.sessions().load("x").orElseThrow(), expected);
                before = store.diskBytes();
                assertThat(store.compactOldest()).as("step %d compacted a segment", step).isTrue();
                SessionStoreAssert.assertSame(store.sessions().load("x").orElseThrow(), expected);
                Samples.sync(store);
                assertThat(store.diskBytes()).as("step %d: only live records were copied", step)
                        .isLessThan(before + 2 * 8 * 1024);
            }
        }
        try (FileStore store = FileStore.open(settings)) {
            SessionStoreAssert.assertSame(store.sessions().load("x").orElseThrow(), expected);
        }
    }

    @Test
    @DisplayName("removed sessions and retained messages are reclaimed completely")
    void removalsAreReclaimed() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(SEGMENT)
                .withCompactionThreshold(0);
        try (FileStore store = FileStore.open(settings)) {
            for (int i = 0; i < 200; i++) {
                store.sessions().save(Samples.full("c" + i));
                store.retained().put(text("r/" + i, "x".repeat(1000), QoS.AT_LEAST_ONCE));
            }
            for (int i = 0; i < 200; i++) {
                store.sessions().remove("c" + i);
                store.retained().remove("r/" + i);
            }
            Samples.sync(store);
            assertThat(store.diskBytes()).isGreaterThan(200L * 70_000);

            store.compactNow();

            assertThat(store.diskBytes()).isZero();
            assertThat(store.sessions().size()).isZero();
            assertThat(store.retained().size()).isZero();
        }
        try (FileStore reopened = FileStore.open(settings)) {
            assertThat(reopened.sessions().size()).isZero();
            assertThat(reopened.retained().size()).isZero();
        }
    }
}
