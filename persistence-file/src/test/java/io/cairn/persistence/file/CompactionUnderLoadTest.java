package io.cairn.persistence.file;

import static io.cairn.persistence.file.Samples.queued;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers, readers and compaction at the same time, on tiny segments so that compaction runs all the while:
 * readers never fail or see a partial session, and the final state is exactly what the writers left.
 */
class CompactionUnderLoadTest {

    private static final int WRITERS = 4;
    private static final int ROUNDS = 250;

    @TempDir
    Path dir;

    private static Message body(int thread, long sequence) {
        return Message.of("t/" + thread, Samples.patterned(200 + (int) (sequence % 50)), QoS.AT_LEAST_ONCE, false);
    }

    /** Queues, sends and acknowledges; every fourth message stays, sent. */
    private static void write(FileStore store, int thread) {
        String id = "client-" + thread;
        store.sessions().save(SessionState.empty(id, 600));
        for (long seq = 1; seq <= ROUNDS; seq++) {
            store.sessions().addOutbound(id, queued(seq, body(thread, seq)));
            store.sessions().updateOutbound(id, seq, (int) seq, OutboundState.SENT);
            if (seq % 4 != 0) {
                store.sessions().removeOutbound(id, seq);
            }
            store.retained().put(Message.of("r/" + thread + "/" + seq % 10, Samples.patterned((int) seq),
                    QoS.AT_LEAST_ONCE, true));
        }
    }

    private static List<OutboundMessage> expectedOutbound(int thread) {
        List<OutboundMessage> out = new ArrayList<>();
        for (long seq = 4; seq <= ROUNDS; seq += 4) {
            out.add(queued(seq, body(thread, seq)).with((int) seq, OutboundState.SENT));
        }
        return out;
    }

    @Test
    @DisplayName("readers and writers run undisturbed while segments are compacted and deleted under them")
    void compactionUnderLoad() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(8 * 1024)
                .withCompactionThreshold(0.9);
        Map<String, SessionState> sessions;
        Map<String, Message> retained;
        try (FileStore store = FileStore.open(settings)) {
            ExecutorService executor = Executors.newFixedThreadPool(WRITERS + 2);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++) {
                    int thread = t;
                    writers.add(executor.submit(() -> {
                        start.await();
                        write(store, thread);
                        return null;
                    }));
                }
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(executor.submit(() -> {
                        start.await();
                        // bounded, so that two spinning readers do not starve the writers on a small machine
                        for (int round = 0; round < 300 && !done.get(); round++) {
                            store.sessions().forEach(s -> assertAscending(s.outbound()));
                            store.retained().forEach(m -> assertThat(m.topic()).startsWith("r/"));
                            store.sessions().load("client-0").ifPresent(s -> assertAscending(s.outbound()));
                            store.retained().get("r/0/1");
                            reads.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> w : writers) {
                    w.get(120, TimeUnit.SECONDS);
                }
                store.compactNow();
                done.set(true);
                for (Future<?> r : readers) {
                    r.get(120, TimeUnit.SECONDS);
                }
            } finally {
                done.set(true);
                executor.shutdownNow();
                assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(reads.get()).isPositive();
            for (int t = 0; t < WRITERS; t++) {
                assertThat(store.sessions().load("client-" + t).orElseThrow().outbound())
                        .containsExactlyElementsOf(expectedOutbound(t));
            }
            assertThat(store.retained().size()).isEqualTo(WRITERS * 10);
            sessions = Samples.sessions(store.sessions());
            retained = Samples.retained(store.retained());
        }
        try (FileStore reopened = FileStore.open(settings)) {
            assertThat(reopened.recovery().clean()).as("problems %s", reopened.recovery().problems()).isTrue();
            Samples.assertSameStores(reopened, sessions, retained);
        }
    }

    private static void assertAscending(List<OutboundMessage> outbound) {
        for (int i = 1; i < outbound.size(); i++) {
            assertThat(outbound.get(i).sequence()).isGreaterThan(outbound.get(i - 1).sequence());
        }
    }
}
