package io.cairn.api.persistence.tck;

import static io.cairn.api.persistence.tck.Checks.assertCompletes;
import static io.cairn.api.persistence.tck.Checks.assertSameMessage;
import static io.cairn.api.persistence.tck.Checks.awaitStart;
import static io.cairn.api.persistence.tck.Checks.shutdown;
import static io.cairn.api.persistence.tck.Fixtures.TIMEOUT_SECONDS;
import static io.cairn.api.persistence.tck.Fixtures.edgeProperties;
import static io.cairn.api.persistence.tck.Fixtures.everyProperty;
import static io.cairn.api.persistence.tck.Fixtures.patterned;
import static io.cairn.api.persistence.tck.Fixtures.rich;
import static io.cairn.api.persistence.tck.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.RetainedStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link RetainedStore} MUST pass: each promise of the {@code RetainedStore} javadoc as an
 * executable check.
 *
 * <p>A store runs the suite from a subclass in its own test sources. Its build adds {@code io.cairn:cairn-api}
 * with {@code <type>test-jar</type>} and {@code <scope>test</scope>}, plus {@code junit-jupiter} and
 * {@code assertj-core}; the subclass then only says how to make a fresh, empty store:
 * <pre>{@code
 * class FileRetainedStoreTest extends RetainedStoreContract {
 *     @TempDir Path dir;
 *
 *     @Override
 *     protected RetainedStore newStore() {
 *         return new FileRetainedStore(dir);
 *     }
 *
 *     @Override
 *     protected void dispose(RetainedStore store) throws Exception {
 *         ((FileRetainedStore) store).close();
 *     }
 * }
 * }</pre>
 * The suite calls {@link #newStore()} once before each test and {@link #dispose(RetainedStore)} once after it.
 * The subclass may add tests of its own and reach the store under test through {@link #store()}. Every wait
 * in the suite is bounded; the concurrency tests use a few threads and some tens of thousands of operations.
 *
 * <p>The suite checks what every store promises. It cannot check what only a durable store promises, that the
 * retained messages are still there after the store is closed and opened again: a durable store adds such
 * tests itself. The kernel turns a retained message with an empty payload into {@code remove} (MQTT-3.3.1-10,
 * MQTT-3.3.1-11), so the suite never puts one.
 */
public abstract class RetainedStoreContract {

    private static final int WRITER_THREADS = 6;
    private static final int TOPICS_PER_THREAD = 200;
    private static final int MAX_READS = 200_000;

    private RetainedStore store;

    /**
     * Creates the store under test. It MUST be empty and MUST share no state with a store returned earlier.
     */
    protected abstract RetainedStore newStore();

    /** Releases the store after a test (closes files, connections); the default does nothing. */
    protected void dispose(RetainedStore store) throws Exception {
    }

    /** The store under test, as {@link #newStore()} returned it for the current test. */
    protected final RetainedStore store() {
        return store;
    }

    /** Gives each test a fresh store from {@link #newStore()}. */
    @BeforeEach
    protected final void createRetainedStore() {
        store = newStore();
        assertThat(store).as("newStore()").isNotNull();
    }

    /** Hands the store of the test that ended to {@link #dispose(RetainedStore)}. */
    @AfterEach
    protected final void disposeRetainedStore() throws Exception {
        dispose(store);
    }

    @Test
    @DisplayName("a new store holds no retained message")
    void newStoreIsEmpty() {
        assertThat(store.size()).isZero();
        assertThat(visitAll()).isEmpty();
        assertThat(store.get("a/b")).isEmpty();
    }

    // put and get

    @Test
    @DisplayName("get of a topic that has no retained message is empty")
    void getOfUnknownTopicIsEmpty() {
        store.put(text("a/b", "x", QoS.AT_LEAST_ONCE).withRetain(true));

        assertThat(store.get("a/c")).isEmpty();
        assertThat(store.get("")).isEmpty();
    }

    @Test
    @DisplayName("a put message comes back from get of its topic, equal in every field")
    void putThenGet() {
        Message message = rich("sensors/1/temperature", QoS.AT_LEAST_ONCE, true);

        store.put(message);

        assertSameMessage(retained("sensors/1/temperature"), message);
    }

    @Test
    @DisplayName("payload bytes, QoS, retain flag and MQTT 5 properties round-trip exactly")
    void messagesRoundTrip() {
        List<Message> messages = List.of(
                rich("rich/qos0", QoS.AT_MOST_ONCE, true),
                rich("rich/qos2", QoS.EXACTLY_ONCE, true),
                Message.of("edge", patterned(1_000), QoS.AT_LEAST_ONCE, true, edgeProperties()),
                Message.of("large", patterned(512 * 1024), QoS.EXACTLY_ONCE, true, everyProperty()),
                Message.of("not/flagged", patterned(10), QoS.AT_MOST_ONCE, false),
                Message.of("\u00e9t\u00e9/\u4e2d/\ud83d\ude00", Fixtures.utf8("\u2603"), QoS.AT_LEAST_ONCE, true));

        messages.forEach(store::put);

        for (Message message : messages) {
            assertSameMessage(retained(message.topic()), message);
        }
    }

    @Test
    @DisplayName("put replaces the retained message of the same topic")
    void putReplaces() {
        store.put(rich("a/b", QoS.EXACTLY_ONCE, true));
        store.put(text("a/c", "neighbour", QoS.AT_LEAST_ONCE).withRetain(true));
        Message replacement = text("a/b", "second", QoS.AT_MOST_ONCE).withRetain(true);

        store.put(replacement);

        assertSameMessage(retained("a/b"), replacement);
        assertThat(store.size()).isEqualTo(2);
        assertThat(visitAll()).extracting(Message::topic).containsExactlyInAnyOrder("a/b", "a/c");
    }

    @Test
    @DisplayName("topics are compared exactly: case, leading, trailing and empty levels all count")
    void topicsAreExact() {
        List<String> topics = List.of("a/b", "a/b/", "/a/b", "A/b", "a//b", "a/b ", "$SYS/a/b", "a",
                "\u00e9/\u4e2d", "x".repeat(65_535));
        for (int i = 0; i < topics.size(); i++) {
            store.put(Message.of(topics.get(i), new byte[] {(byte) i}, QoS.AT_LEAST_ONCE, true));
        }

        assertThat(store.size()).isEqualTo(topics.size());
        for (int i = 0; i < topics.size(); i++) {
            assertThat(retained(topics.get(i)).payloadBytes()).as("payload of %s", topics.get(i))
                    .containsExactly((byte) i);
        }
    }

    // remove

    @Test
    @DisplayName("remove deletes the retained message of exactly that topic")
    void removeDeletes() {
        store.put(text("a/b", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("a/b/c", "2", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("a", "3", QoS.AT_LEAST_ONCE).withRetain(true));

        store.remove("a/b");

        assertThat(store.get("a/b")).isEmpty();
        assertThat(store.get("a/b/c")).isPresent();
        assertThat(store.get("a")).isPresent();
        assertThat(store.size()).isEqualTo(2);
        assertThat(visitAll()).extracting(Message::topic).containsExactlyInAnyOrder("a/b/c", "a");
    }

    @Test
    @DisplayName("remove of a topic without a retained message does nothing")
    void removeUnknownDoesNothing() {
        Message message = rich("a/b", QoS.AT_LEAST_ONCE, true);
        store.put(message);

        assertThatCode(() -> {
            store.remove("a/c");
            store.remove("a/+");
            store.remove("#");
            store.remove("A/b");
        }).doesNotThrowAnyException();

        assertThat(store.size()).isEqualTo(1);
        assertSameMessage(retained("a/b"), message);
    }

    @Test
    @DisplayName("remove twice in a row does nothing the second time")
    void removeTwice() {
        store.put(text("a/b", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        store.remove("a/b");

        assertThatCode(() -> store.remove("a/b")).doesNotThrowAnyException();

        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("a topic can be retained again after remove")
    void putAfterRemove() {
        store.put(text("a/b", "old", QoS.AT_LEAST_ONCE).withRetain(true));
        store.remove("a/b");
        Message fresh = text("a/b", "new", QoS.EXACTLY_ONCE).withRetain(true);

        store.put(fresh);

        assertSameMessage(retained("a/b"), fresh);
        assertThat(store.size()).isEqualTo(1);
    }

    // forEach and size

    @Test
    @DisplayName("forEach visits every retained message once")
    void forEachVisitsEachOnce() {
        Map<String, Message> put = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            Message message = i % 50 == 0 ? rich("t/" + i, QoS.EXACTLY_ONCE, true)
                    : text("t/" + i, "m" + i, QoS.of(i % 3)).withRetain(true);
            put.put(message.topic(), message);
            store.put(message);
        }

        List<Message> visited = visitAll();

        assertThat(visited).extracting(Message::topic).containsExactlyInAnyOrderElementsOf(put.keySet());
        visited.forEach(message -> assertSameMessage(message, put.get(message.topic())));
    }

    @Test
    @DisplayName("forEach visits the replacement of a replaced message, not the original")
    void forEachSeesReplacement() {
        store.put(text("a", "old", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("a", "new", QoS.AT_LEAST_ONCE).withRetain(true));

        assertThat(visitAll()).containsExactly(text("a", "new", QoS.AT_LEAST_ONCE).withRetain(true));
    }

    @Test
    @DisplayName("size counts topics: put of a new topic adds one, put of a held topic adds none")
    void sizeCountsTopics() {
        assertThat(store.size()).isZero();

        store.put(text("a", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("b", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        assertThat(store.size()).isEqualTo(2);

        store.put(text("a", "2", QoS.EXACTLY_ONCE).withRetain(true));
        assertThat(store.size()).isEqualTo(2);

        store.remove("a");
        assertThat(store.size()).isEqualTo(1);
        store.remove("b");
        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("forEach visits every message held throughout exactly once while other topics come and go")
    void forEachDuringChurn() throws Exception {
        int stable = 500;
        for (int i = 0; i < stable; i++) {
            store.put(text("stable/" + i, "s", QoS.AT_LEAST_ONCE).withRetain(true));
        }
        ExecutorService executor = Executors.newSingleThreadExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch churning = new CountDownLatch(1);
        try {
            Future<?> churn = executor.submit(() -> {
                churning.countDown();
                for (int i = 0; i < 50_000 && !stop.get(); i++) {
                    store.put(text("churn/" + i, "c", QoS.AT_MOST_ONCE).withRetain(true));
                    store.remove("churn/" + (i - 3));
                }
            });
            assertThat(churning.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

            for (int round = 0; round < 5; round++) {
                Map<String, Integer> visits = new ConcurrentHashMap<>();
                store.forEach(message -> visits.merge(message.topic(), 1, Integer::sum));
                for (int i = 0; i < stable; i++) {
                    assertThat(visits.get("stable/" + i)).as("visits of stable/%d in round %d", i, round)
                            .isEqualTo(1);
                }
                assertThat(visits.values()).as("no message is visited twice").containsOnly(1);
            }
            stop.set(true);
            churn.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            shutdown(executor);
        }
    }

    // sync

    @Test
    @DisplayName("sync completes on an empty store")
    void syncOnEmptyStoreCompletes() throws Exception {
        assertCompletes(store.sync());
    }

    @Test
    @DisplayName("sync completes after puts, replacements and removals, and the changes stay visible")
    void syncAfterChangesCompletes() throws Exception {
        store.put(text("a", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("b", "1", QoS.AT_LEAST_ONCE).withRetain(true));
        store.put(text("a", "2", QoS.EXACTLY_ONCE).withRetain(true));
        store.remove("b");

        assertCompletes(store.sync());

        assertThat(store.get("a")).contains(text("a", "2", QoS.EXACTLY_ONCE).withRetain(true));
        assertThat(store.get("b")).isEmpty();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("every sync call completes, also when several are outstanding")
    void repeatedSyncCompletes() throws Exception {
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            store.put(text("t/" + i, "m", QoS.AT_LEAST_ONCE).withRetain(true));
            stages.add(store.sync());
        }
        for (CompletionStage<Void> stage : stages) {
            assertCompletes(stage);
        }
        assertThat(store.size()).isEqualTo(20);
    }

    // thread safety

    @Test
    @DisplayName("threads putting, replacing and removing different topics at the same time lose nothing")
    void concurrentWritersLoseNothing() throws Exception {
        runWriters(0);

        assertWriterOutcome();
    }

    @Test
    @DisplayName("get and forEach running alongside writers disturb nothing")
    void readersAlongsideWriters() throws Exception {
        runWriters(2);

        assertWriterOutcome();
    }

    @Test
    @DisplayName("threads racing to retain on one topic leave exactly one of their messages")
    void racingOnOneTopic() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(WRITER_THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Message> candidates = new ArrayList<>();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                List<Message> mine = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    mine.add(text("contested", t + "/" + i, QoS.of(i % 3)).withRetain(true));
                }
                candidates.add(mine.get(mine.size() - 1));
                writers.add(executor.submit(() -> {
                    awaitStart(start);
                    mine.forEach(store::put);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            shutdown(executor);
        }

        assertThat(store.size()).isEqualTo(1);
        assertThat(retained("contested")).as("the last put of one of the writers").isIn(candidates);
    }

    private void runWriters(int readers) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(WRITER_THREADS + readers);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch readersReading = new CountDownLatch(readers);
        AtomicInteger writersLeft = new AtomicInteger(WRITER_THREADS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                writers.add(executor.submit(() -> {
                    try {
                        awaitStart(start);
                        awaitStart(readersReading);
                        for (int i = 0; i < TOPICS_PER_THREAD; i++) {
                            store.put(first(thread, i));
                        }
                        for (int i = 0; i < TOPICS_PER_THREAD; i++) {
                            if (i % 3 == 0) {
                                store.remove(topic(thread, i));
                            } else if (i % 3 == 1) {
                                store.put(second(thread, i));
                            }
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                    return null;
                }));
            }
            List<Future<Integer>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                readerResults.add(executor.submit(() -> {
                    awaitStart(start);
                    int reads = 0;
                    try {
                        readMessages(reads++);
                    } finally {
                        readersReading.countDown();
                    }
                    while (writersLeft.get() > 0 && reads < MAX_READS) {
                        readMessages(reads++);
                    }
                    return reads;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            for (Future<Integer> reader : readerResults) {
                assertThat(reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            shutdown(executor);
        }
    }

    /** Reads while the writers write: every message seen MUST be one that was put under its topic. */
    private void readMessages(int round) {
        store.forEach(message -> {
            assertThat(message).isNotNull();
            assertThat(message.topic()).startsWith("writer/");
        });
        int thread = round % WRITER_THREADS;
        int index = round % TOPICS_PER_THREAD;
        store.get(topic(thread, index))
                .ifPresent(message -> assertThat(message).isIn(first(thread, index), second(thread, index)));
    }

    private void assertWriterOutcome() {
        int expected = 0;
        for (int t = 0; t < WRITER_THREADS; t++) {
            for (int i = 0; i < TOPICS_PER_THREAD; i++) {
                Optional<Message> actual = store.get(topic(t, i));
                if (i % 3 == 0) {
                    assertThat(actual).as("removed %s", topic(t, i)).isEmpty();
                } else {
                    expected++;
                    assertThat(actual).as("retained %s", topic(t, i))
                            .contains(i % 3 == 1 ? second(t, i) : first(t, i));
                }
            }
        }
        assertThat(store.size()).isEqualTo(expected);
        assertThat(visitAll()).hasSize(expected);
    }

    private String topic(int thread, int index) {
        return "writer/" + thread + "/topic/" + index;
    }

    private Message first(int thread, int index) {
        return text(topic(thread, index), "first " + index, QoS.AT_LEAST_ONCE).withRetain(true);
    }

    private Message second(int thread, int index) {
        return text(topic(thread, index), "second " + index, QoS.EXACTLY_ONCE).withRetain(true);
    }

    /** The retained message of {@code topic}, which the store MUST hold. */
    private Message retained(String topic) {
        Optional<Message> message = store.get(topic);
        assertThat(message).as("retained message of %s", topic).isPresent();
        return message.get();
    }

    private List<Message> visitAll() {
        List<Message> visited = Collections.synchronizedList(new ArrayList<>());
        store.forEach(visited::add);
        return visited;
    }
}
