package io.cairn.api.persistence.tck;

import static io.cairn.api.persistence.tck.Checks.assertCompletes;
import static io.cairn.api.persistence.tck.Checks.assertSameMessage;
import static io.cairn.api.persistence.tck.Checks.awaitStart;
import static io.cairn.api.persistence.tck.Checks.shutdown;
import static io.cairn.api.persistence.tck.Fixtures.T0;
import static io.cairn.api.persistence.tck.Fixtures.TIMEOUT_SECONDS;
import static io.cairn.api.persistence.tck.Fixtures.edgeProperties;
import static io.cairn.api.persistence.tck.Fixtures.everyByteValue;
import static io.cairn.api.persistence.tck.Fixtures.everyOption;
import static io.cairn.api.persistence.tck.Fixtures.everyProperty;
import static io.cairn.api.persistence.tck.Fixtures.full;
import static io.cairn.api.persistence.tck.Fixtures.patterned;
import static io.cairn.api.persistence.tck.Fixtures.queued;
import static io.cairn.api.persistence.tck.Fixtures.rich;
import static io.cairn.api.persistence.tck.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link SessionStore} MUST pass: each promise of the {@code SessionStore} javadoc, and of
 * the {@link SessionState} it holds, as an executable check.
 *
 * <p>A store runs the suite from a subclass in its own test sources. Its build adds {@code io.cairn:cairn-api}
 * with {@code <type>test-jar</type>} and {@code <scope>test</scope>}, plus {@code junit-jupiter} and
 * {@code assertj-core}; the subclass then only says how to make a fresh, empty store:
 * <pre>{@code
 * class FileSessionStoreTest extends SessionStoreContract {
 *     @TempDir Path dir;
 *
 *     @Override
 *     protected SessionStore newStore() {
 *         return new FileSessionStore(dir);
 *     }
 *
 *     @Override
 *     protected void dispose(SessionStore store) throws Exception {
 *         ((FileSessionStore) store).close();
 *     }
 * }
 * }</pre>
 * The suite calls {@link #newStore()} once before each test and {@link #dispose(SessionStore)} once after it.
 * The subclass may add tests of its own and reach the store under test through {@link #store()}. Every wait
 * in the suite is bounded; the concurrency tests use a few threads and some tens of thousands of operations.
 *
 * <p>The suite checks what every store promises. It cannot check what only a durable store promises, that the
 * state is still there after the store is closed and opened again: a durable store adds such tests itself, and
 * may reuse {@link #assertSameSession} for them. It does not call a store against the preconditions the SPI
 * sets (for example an {@code addOutbound} whose sequence is not above every held one), since the kernel never
 * does.
 */
public abstract class SessionStoreContract {

    private static final int WRITER_THREADS = 6;
    private static final int CLIENTS_PER_THREAD = 40;
    private static final int MESSAGES_PER_CLIENT = 24;
    private static final int INBOUND_IDS_PER_CLIENT = 8;
    private static final int MAX_READS = 200_000;

    private SessionStore store;

    /**
     * Creates the store under test. It MUST be empty and MUST share no state with a store returned earlier.
     */
    protected abstract SessionStore newStore();

    /** Releases the store after a test (closes files, connections); the default does nothing. */
    protected void dispose(SessionStore store) throws Exception {
    }

    /** The store under test, as {@link #newStore()} returned it for the current test. */
    protected final SessionStore store() {
        return store;
    }

    /** Gives each test a fresh store from {@link #newStore()}. */
    @BeforeEach
    protected final void createSessionStore() {
        store = newStore();
        assertThat(store).as("newStore()").isNotNull();
    }

    /** Hands the store of the test that ended to {@link #dispose(SessionStore)}. */
    @AfterEach
    protected final void disposeSessionStore() throws Exception {
        dispose(store);
    }

    @Test
    @DisplayName("a new store holds no session")
    void newStoreIsEmpty() {
        assertThat(store.size()).isZero();
        assertThat(visitAll()).isEmpty();
        assertThat(store.load("client")).isEmpty();
    }

    // load and save

    @Test
    @DisplayName("load of a client identifier the store does not hold is empty")
    void loadOfUnknownClientIsEmpty() {
        store.save(full("known"));

        assertThat(store.load("unknown")).isEmpty();
        assertThat(store.load("Known")).as("client identifiers are case-sensitive").isEmpty();
        assertThat(store.load("")).isEmpty();
    }

    @Test
    @DisplayName("a saved session loads back with every field")
    void savedSessionLoadsBack() {
        SessionState session = full("client-1");

        store.save(session);

        assertSameSession(loaded("client-1"), session);
    }

    @Test
    @DisplayName("an empty session loads back empty")
    void emptySessionLoadsBack() {
        store.save(SessionState.empty("fresh", 0));

        SessionState state = loaded("fresh");
        assertSameSession(state, SessionState.empty("fresh", 0));
        assertThat(state.subscriptions()).isEmpty();
        assertThat(state.outbound()).isEmpty();
        assertThat(state.inboundQos2()).isEmpty();
        assertThat(state.will()).isNull();
    }

    @Test
    @DisplayName("expiry intervals and disconnect times keep their full range")
    void expiryAndDisconnectTimeKeepTheirRange() {
        store.save(new SessionState("never", SessionState.NEVER_EXPIRES, Long.MAX_VALUE, List.of(), List.of(),
                Set.of(), null));
        store.save(new SessionState("zero", 0, 1, List.of(), List.of(), Set.of(), null));

        assertThat(loaded("never").expiryInterval()).isEqualTo(SessionState.NEVER_EXPIRES);
        assertThat(loaded("never").disconnectedAt()).isEqualTo(Long.MAX_VALUE);
        assertThat(loaded("zero").expiryInterval()).isZero();
        assertThat(loaded("zero").disconnectedAt()).isEqualTo(1);
    }

    @Test
    @DisplayName("client identifiers are kept exactly, whatever characters they hold")
    void clientIdentifiersAreExact() {
        List<String> ids = List.of("client", "Client", "client ", " client", "cli/ent", "c+l#i$e%n't",
                "\u00e9t\u00e9-\u4e2d-\ud83d\ude00", "x".repeat(65_535));
        for (int i = 0; i < ids.size(); i++) {
            store.save(SessionState.empty(ids.get(i), i));
        }

        assertThat(store.size()).isEqualTo(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(loaded(ids.get(i)).clientId()).isEqualTo(ids.get(i));
            assertThat(loaded(ids.get(i)).expiryInterval()).as("expiry of %s", ids.get(i)).isEqualTo(i);
        }
    }

    @Test
    @DisplayName("save replaces the session held under the same client identifier along with everything it held")
    void saveReplacesWholeSession() {
        store.save(full("client"));
        SessionState replacement = new SessionState("client", 10, 0,
                List.of(Subscription.of("other/#", QoS.AT_MOST_ONCE)),
                List.of(queued(100, text("other/x", "new", QoS.AT_LEAST_ONCE))), Set.of(2), null);

        store.save(replacement);

        assertSameSession(loaded("client"), replacement);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("save replaces state that was built up by updates")
    void saveReplacesStateBuiltByUpdates() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", Subscription.of("old/#", QoS.AT_LEAST_ONCE));
        store.addOutbound("client", queued(1, text("old/1", "a", QoS.AT_LEAST_ONCE)));
        store.addOutbound("client", queued(2, text("old/2", "b", QoS.EXACTLY_ONCE)));
        store.updateOutbound("client", 1, 5, OutboundState.SENT);
        store.addInboundQos2("client", 9);
        store.setWill("client", new StoredWill(text("will", "bye", QoS.AT_MOST_ONCE), 0));
        store.updateConnection("client", T0, 120);

        store.save(SessionState.empty("client", 30));

        assertSameSession(loaded("client"), SessionState.empty("client", 30));
    }

    @Test
    @DisplayName("after save replaced a session, updates apply to the new one")
    void updatesApplyToTheReplacement() {
        store.save(full("client"));
        store.save(SessionState.empty("client", 30));

        store.addOutbound("client", queued(1, text("t", "p", QoS.AT_LEAST_ONCE)));
        store.putSubscription("client", Subscription.of("t", QoS.AT_LEAST_ONCE));

        SessionState state = loaded("client");
        assertThat(state.outbound()).containsExactly(queued(1, text("t", "p", QoS.AT_LEAST_ONCE)));
        assertThat(state.subscriptions()).containsExactly(Subscription.of("t", QoS.AT_LEAST_ONCE));
        assertThat(state.inboundQos2()).isEmpty();
        assertThat(state.will()).isNull();
    }

    @Test
    @DisplayName("save leaves the sessions of other clients alone")
    void saveKeepsOtherSessions() {
        SessionState a = full("a");
        SessionState b = full("b");
        store.save(a);
        store.save(b);

        store.save(SessionState.empty("a", 1));
        store.save(full("c"));

        assertSameSession(loaded("b"), b);
        assertThat(store.size()).isEqualTo(3);
    }

    // messages round-trip exactly

    @Test
    @DisplayName("payload bytes, QoS, retain flag and MQTT 5 properties of outgoing messages round-trip")
    void outboundMessagesRoundTrip() {
        List<Message> messages = List.of(
                rich("a/b", QoS.AT_LEAST_ONCE, false),
                rich("a/b", QoS.EXACTLY_ONCE, true),
                Message.of("empty/payload", new byte[0], QoS.AT_LEAST_ONCE, false),
                Message.of("edge", patterned(1_000), QoS.AT_MOST_ONCE, true, edgeProperties()),
                Message.of("large", patterned(256 * 1024), QoS.EXACTLY_ONCE, false, everyProperty()),
                Message.of("\u00e9t\u00e9/\u4e2d/\ud83d\ude00", Fixtures.utf8("\u2603 snow"), QoS.AT_LEAST_ONCE,
                        false));
        store.save(SessionState.empty("client", 60));
        for (int i = 0; i < messages.size(); i++) {
            store.addOutbound("client", queued(i + 1, messages.get(i)));
        }

        List<OutboundMessage> outbound = loaded("client").outbound();

        assertThat(outbound).hasSameSizeAs(messages);
        for (int i = 0; i < messages.size(); i++) {
            assertSameMessage(outbound.get(i).message(), messages.get(i));
            assertThat(outbound.get(i).receivedAt()).isEqualTo(T0 + i + 1);
        }
    }

    @Test
    @DisplayName("messages in a saved session round-trip in every outbound state")
    void savedMessagesRoundTrip() {
        SessionState session = full("client");

        store.save(session);

        List<OutboundMessage> outbound = loaded("client").outbound();
        assertThat(outbound).hasSameSizeAs(session.outbound());
        for (int i = 0; i < outbound.size(); i++) {
            assertSameMessage(outbound.get(i).message(), session.outbound().get(i).message());
        }
        assertSameMessage(loaded("client").will().message(), session.will().message());
    }

    @Test
    @DisplayName("a will set by setWill round-trips with its message and delay")
    void willRoundTrips() {
        store.save(SessionState.empty("client", 60));
        StoredWill will = new StoredWill(Message.of("status/client", everyByteValue(), QoS.EXACTLY_ONCE, true,
                everyProperty()), 0xFFFF_FFFFL);

        store.setWill("client", will);

        StoredWill loaded = loaded("client").will();
        assertThat(loaded.delaySeconds()).isEqualTo(0xFFFF_FFFFL);
        assertSameMessage(loaded.message(), will.message());
    }

    @Test
    @DisplayName("every subscription option round-trips")
    void subscriptionOptionsRoundTrip() {
        store.save(SessionState.empty("client", 60));
        List<Subscription> subscriptions = List.of(
                everyOption("a/+/c"),
                new Subscription("b/#", QoS.AT_LEAST_ONCE, false, true, 1, 1),
                new Subscription("c", QoS.AT_MOST_ONCE, true, false, 0, 0),
                Subscription.of("#", QoS.EXACTLY_ONCE));
        subscriptions.forEach(s -> store.putSubscription("client", s));

        assertThat(loaded("client").subscriptions()).containsExactlyInAnyOrderElementsOf(subscriptions);
    }

    // remove

    @Test
    @DisplayName("remove deletes the session and everything it holds")
    void removeDeletesSession() {
        store.save(full("client"));
        store.save(full("other"));

        store.remove("client");

        assertThat(store.load("client")).isEmpty();
        assertThat(store.size()).isEqualTo(1);
        assertThat(visitAll()).extracting(SessionState::clientId).containsExactly("other");
    }

    @Test
    @DisplayName("a session saved again after remove starts from nothing")
    void sessionSavedAfterRemoveStartsEmpty() {
        store.save(full("client"));
        store.remove("client");

        store.save(SessionState.empty("client", 5));

        assertSameSession(loaded("client"), SessionState.empty("client", 5));
    }

    @Test
    @DisplayName("remove of a session the store does not hold does nothing")
    void removeOfUnknownDoesNothing() {
        SessionState other = full("other");
        store.save(other);

        assertThatCode(() -> {
            store.remove("unknown");
            store.remove("unknown");
        }).doesNotThrowAnyException();

        assertThat(store.size()).isEqualTo(1);
        assertSameSession(loaded("other"), other);
    }

    @Test
    @DisplayName("remove twice in a row does nothing the second time")
    void removeTwiceDoesNothing() {
        store.save(full("client"));
        store.remove("client");

        assertThatCode(() -> store.remove("client")).doesNotThrowAnyException();

        assertThat(store.size()).isZero();
    }

    // updateConnection

    @Test
    @DisplayName("updateConnection records the disconnect time and the expiry interval now in force")
    void updateConnectionRecordsDisconnect() {
        store.save(SessionState.empty("client", 60));

        store.updateConnection("client", T0 + 1_000, 3_600);

        assertThat(loaded("client").disconnectedAt()).isEqualTo(T0 + 1_000);
        assertThat(loaded("client").expiryInterval()).isEqualTo(3_600);
    }

    @Test
    @DisplayName("updateConnection with disconnectedAt 0 records that the client connected again")
    void updateConnectionRecordsReconnect() {
        store.save(new SessionState("client", 60, T0, List.of(), List.of(), Set.of(), null));

        store.updateConnection("client", 0, SessionState.NEVER_EXPIRES);

        assertThat(loaded("client").disconnectedAt()).isZero();
        assertThat(loaded("client").expiryInterval()).isEqualTo(SessionState.NEVER_EXPIRES);
    }

    @Test
    @DisplayName("updateConnection leaves subscriptions, messages, packet identifiers and will untouched")
    void updateConnectionKeepsEverythingElse() {
        SessionState session = full("client");
        store.save(session);

        store.updateConnection("client", T0 + 5, 7);

        assertSameSession(loaded("client"), new SessionState("client", 7, T0 + 5, session.subscriptions(),
                session.outbound(), session.inboundQos2(), session.will()));
    }

    // subscriptions

    @Test
    @DisplayName("putSubscription adds a subscription per topic filter")
    void putSubscriptionAdds() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", Subscription.of("a/+", QoS.AT_LEAST_ONCE));
        store.putSubscription("client", Subscription.of("b/#", QoS.AT_MOST_ONCE));

        assertThat(loaded("client").subscriptions()).containsExactlyInAnyOrder(
                Subscription.of("a/+", QoS.AT_LEAST_ONCE), Subscription.of("b/#", QoS.AT_MOST_ONCE));
    }

    @Test
    @DisplayName("putSubscription replaces the subscription with the same topic filter, options and all")
    void putSubscriptionReplacesSameFilter() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", everyOption("a/+"));
        store.putSubscription("client", Subscription.of("b", QoS.AT_LEAST_ONCE));

        store.putSubscription("client", Subscription.of("a/+", QoS.AT_MOST_ONCE));

        assertThat(loaded("client").subscriptions()).containsExactlyInAnyOrder(
                Subscription.of("a/+", QoS.AT_MOST_ONCE), Subscription.of("b", QoS.AT_LEAST_ONCE));
    }

    @Test
    @DisplayName("putSubscription with an equal subscription keeps one")
    void putSubscriptionTwiceKeepsOne() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", everyOption("a"));
        store.putSubscription("client", everyOption("a"));

        assertThat(loaded("client").subscriptions()).containsExactly(everyOption("a"));
    }

    @Test
    @DisplayName("topic filters are compared exactly: case, separators and wildcards all count")
    void filtersAreExact() {
        store.save(SessionState.empty("client", 60));
        List<String> filters = List.of("a/+", "a/#", "a/+/", "/a/+", "A/+", "a/b", "a//+", "$share/g/a/+",
                "+", "#", "\u00e9/+");
        filters.forEach(f -> store.putSubscription("client", Subscription.of(f, QoS.AT_LEAST_ONCE)));

        assertThat(loaded("client").subscriptions()).extracting(Subscription::topicFilter)
                .containsExactlyInAnyOrderElementsOf(filters);
    }

    @Test
    @DisplayName("removeSubscription removes exactly that topic filter")
    void removeSubscriptionRemovesExactFilter() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", Subscription.of("a/+", QoS.AT_LEAST_ONCE));
        store.putSubscription("client", Subscription.of("a/#", QoS.AT_LEAST_ONCE));
        store.putSubscription("client", Subscription.of("a/+/", QoS.AT_LEAST_ONCE));

        store.removeSubscription("client", "a/+");

        assertThat(loaded("client").subscriptions()).containsExactlyInAnyOrder(
                Subscription.of("a/#", QoS.AT_LEAST_ONCE), Subscription.of("a/+/", QoS.AT_LEAST_ONCE));
    }

    @Test
    @DisplayName("removeSubscription of a filter the session does not hold is ignored")
    void removeSubscriptionOfUnknownFilterIgnored() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", Subscription.of("a/+", QoS.AT_LEAST_ONCE));

        assertThatCode(() -> {
            store.removeSubscription("client", "a/#");
            store.removeSubscription("client", "A/+");
        }).doesNotThrowAnyException();

        assertThat(loaded("client").subscriptions()).containsExactly(Subscription.of("a/+", QoS.AT_LEAST_ONCE));
    }

    @Test
    @DisplayName("a removed topic filter can be subscribed again")
    void resubscribeAfterRemove() {
        store.save(SessionState.empty("client", 60));
        store.putSubscription("client", everyOption("a"));
        store.removeSubscription("client", "a");

        store.putSubscription("client", Subscription.of("a", QoS.AT_LEAST_ONCE));

        assertThat(loaded("client").subscriptions()).containsExactly(Subscription.of("a", QoS.AT_LEAST_ONCE));
    }

    @Test
    @DisplayName("subscription changes touch no other session")
    void subscriptionChangesTouchNoOtherSession() {
        store.save(SessionState.empty("client", 60));
        store.save(SessionState.empty("other", 60));
        store.putSubscription("other", Subscription.of("a", QoS.AT_LEAST_ONCE));

        store.putSubscription("client", Subscription.of("a", QoS.EXACTLY_ONCE));
        store.removeSubscription("client", "a");

        assertThat(loaded("other").subscriptions()).containsExactly(Subscription.of("a", QoS.AT_LEAST_ONCE));
    }

    // routings (addDeliveries)

    @Test
    @DisplayName("addDeliveries records the publisher's QoS 2 packet id and each copy; sessions not held are skipped")
    void addDeliveriesRecordsEveryPart() {
        store.save(SessionState.empty("writer", 60));
        store.save(SessionState.empty("a", 60));
        store.save(SessionState.empty("b", 60));
        store.addOutbound("b", queued(4, text("t", "older", QoS.AT_LEAST_ONCE)));
        OutboundMessage toA = queued(1, text("orders/1", "m", QoS.EXACTLY_ONCE));
        OutboundMessage toB = queued(5, text("orders/1", "m", QoS.AT_LEAST_ONCE));

        store.addDeliveries("writer", 42, List.of(new io.cairn.api.persistence.Delivery("a", toA),
                new io.cairn.api.persistence.Delivery("b", toB),
                new io.cairn.api.persistence.Delivery("unknown", toA)));

        assertThat(loaded("writer").inboundQos2()).containsExactly(42);
        assertThat(loaded("a").outbound()).containsExactly(toA);
        assertThat(loaded("b").outbound()).extracting(OutboundMessage::sequence).containsExactly(4L, 5L);
        assertThat(store.load("unknown")).isEmpty();
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    @DisplayName("addDeliveries without a publisher records only the copies; copies are then updated and removed")
    void addDeliveriesWithoutPublisher() {
        store.save(SessionState.empty("writer", 60));
        store.save(SessionState.empty("a", 60));
        OutboundMessage copy = queued(1, text("orders/1", "m", QoS.AT_LEAST_ONCE));

        store.addDeliveries(null, 0, List.of(new io.cairn.api.persistence.Delivery("a", copy)));
        store.updateOutbound("a", 1, 17, OutboundState.SENT);

        assertThat(loaded("writer").inboundQos2()).isEmpty();
        assertThat(loaded("a").outbound()).singleElement().satisfies(m -> {
            assertThat(m.packetId()).isEqualTo(17);
            assertThat(m.state()).isEqualTo(OutboundState.SENT);
            assertSameMessage(m.message(), copy.message());
        });
        store.removeOutbound("a", 1);
        assertThat(loaded("a").outbound()).isEmpty();
    }

    // outgoing messages

    @Test
    @DisplayName("addOutbound keeps the messages in ascending sequence, gaps and all")
    void addOutboundKeepsAscendingOrder() {
        store.save(SessionState.empty("client", 60));
        long[] sequences = {1, 2, 7, 8, 1L << 40, Long.MAX_VALUE};
        List<OutboundMessage> added = new ArrayList<>();
        for (long sequence : sequences) {
            OutboundMessage message = queued(sequence, text("t", "m" + sequence, QoS.AT_LEAST_ONCE));
            added.add(message);
            store.addOutbound("client", message);
        }

        assertThat(loaded("client").outbound()).containsExactlyElementsOf(added);
    }

    @Test
    @DisplayName("addOutbound appends after the messages of a saved session")
    void addOutboundAppendsAfterSavedMessages() {
        store.save(SessionState.empty("client", 60));
        SessionState session = full("client");
        store.save(session);
        OutboundMessage next = queued(11, text("a/b", "next", QoS.AT_LEAST_ONCE));

        store.addOutbound("client", next);

        List<OutboundMessage> expected = new ArrayList<>(session.outbound());
        expected.add(next);
        assertThat(loaded("client").outbound()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("updateOutbound moves a message from QUEUED to SENT to RELEASED under its packet identifier")
    void updateOutboundMovesThroughStates() {
        store.save(SessionState.empty("client", 60));
        Message message = rich("a/b", QoS.EXACTLY_ONCE, false);
        store.addOutbound("client", queued(1, text("x", "first", QoS.AT_LEAST_ONCE)));
        store.addOutbound("client", queued(2, message));
        store.addOutbound("client", queued(3, text("x", "last", QoS.AT_LEAST_ONCE)));

        store.updateOutbound("client", 2, 65_535, OutboundState.SENT);

        OutboundMessage sent = loaded("client").outbound().get(1);
        assertThat(sent).isEqualTo(new OutboundMessage(2, message, 65_535, OutboundState.SENT, T0 + 2));

        store.updateOutbound("client", 2, 65_535, OutboundState.RELEASED);

        List<OutboundMessage> outbound = loaded("client").outbound();
        assertThat(outbound).extracting(OutboundMessage::sequence).containsExactly(1L, 2L, 3L);
        assertThat(outbound.get(1)).isEqualTo(
                new OutboundMessage(2, message, 65_535, OutboundState.RELEASED, T0 + 2));
        assertSameMessage(outbound.get(1).message(), message);
    }

    @Test
    @DisplayName("an outgoing message keeps its MQTT 5 Subscription Identifiers, in order, through every update")
    void outboundKeepsSubscriptionIdentifiers() {
        store.save(SessionState.empty("client", 60));
        Message message = text("a/b", "m", QoS.AT_LEAST_ONCE);
        store.addOutbound("client", new OutboundMessage(1, message, 0, OutboundState.QUEUED, T0 + 1,
                List.of(268_435_455, 1, 7)));

        store.updateOutbound("client", 1, 9, OutboundState.SENT);

        assertThat(loaded("client").outbound().get(0).subscriptionIds()).containsExactly(268_435_455, 1, 7);
    }

    @Test
    @DisplayName("updateOutbound may give a sent message a new packet identifier")
    void updateOutboundChangesPacketId() {
        store.save(SessionState.empty("client", 60));
        store.addOutbound("client", queued(1, text("t", "m", QoS.AT_LEAST_ONCE)));
        store.updateOutbound("client", 1, 1, OutboundState.SENT);

        store.updateOutbound("client", 1, 2, OutboundState.SENT);

        assertThat(loaded("client").outbound()).extracting(OutboundMessage::packetId).containsExactly(2);
    }

    @Test
    @DisplayName("updateOutbound touches only the message with that sequence")
    void updateOutboundTouchesOnlyThatSequence() {
        store.save(SessionState.empty("client", 60));
        for (long s = 1; s <= 5; s++) {
            store.addOutbound("client", queued(s, text("t", "m" + s, QoS.AT_LEAST_ONCE)));
        }

        store.updateOutbound("client", 3, 42, OutboundState.SENT);

        assertThat(loaded("client").outbound())
                .extracting(OutboundMessage::sequence, OutboundMessage::packetId, OutboundMessage::state)
                .containsExactly(
                        Tuple.tuple(1L, 0, OutboundState.QUEUED),
                        Tuple.tuple(2L, 0, OutboundState.QUEUED),
                        Tuple.tuple(3L, 42, OutboundState.SENT),
                        Tuple.tuple(4L, 0, OutboundState.QUEUED),
                        Tuple.tuple(5L, 0, OutboundState.QUEUED));
    }

    @Test
    @DisplayName("updateOutbound of a sequence the session does not hold is ignored")
    void updateOutboundOfUnknownSequenceIgnored() {
        store.save(SessionState.empty("client", 60));
        OutboundMessage message = queued(5, text("t", "m", QoS.AT_LEAST_ONCE));
        store.addOutbound("client", message);

        assertThatCode(() -> {
            store.updateOutbound("client", 4, 1, OutboundState.SENT);
            store.updateOutbound("client", 6, 1, OutboundState.RELEASED);
        }).doesNotThrowAnyException();

        assertThat(loaded("client").outbound()).containsExactly(message);
    }

    @Test
    @DisplayName("removeOutbound removes the message with that sequence and keeps the others in order")
    void removeOutboundKeepsOthersInOrder() {
        store.save(SessionState.empty("client", 60));
        List<OutboundMessage> added = new ArrayList<>();
        for (long s = 1; s <= 6; s++) {
            OutboundMessage message = queued(s * 10, text("t", "m" + s, QoS.AT_LEAST_ONCE));
            added.add(message);
            store.addOutbound("client", message);
        }

        store.removeOutbound("client", 30);
        store.removeOutbound("client", 10);
        store.removeOutbound("client", 60);

        assertThat(loaded("client").outbound()).containsExactly(added.get(1), added.get(3), added.get(4));
    }

    @Test
    @DisplayName("removeOutbound removes a message in any state")
    void removeOutboundInAnyState() {
        store.save(SessionState.empty("client", 60));
        store.addOutbound("client", queued(1, text("t", "1", QoS.AT_LEAST_ONCE)));
        store.addOutbound("client", queued(2, text("t", "2", QoS.EXACTLY_ONCE)));
        store.addOutbound("client", queued(3, text("t", "3", QoS.EXACTLY_ONCE)));
        store.updateOutbound("client", 1, 1, OutboundState.SENT);
        store.updateOutbound("client", 2, 2, OutboundState.SENT);
        store.updateOutbound("client", 2, 2, OutboundState.RELEASED);

        store.removeOutbound("client", 1);
        store.removeOutbound("client", 2);
        store.removeOutbound("client", 3);

        assertThat(loaded("client").outbound()).isEmpty();
    }

    @Test
    @DisplayName("removeOutbound of a sequence the session does not hold is ignored")
    void removeOutboundOfUnknownSequenceIgnored() {
        store.save(SessionState.empty("client", 60));
        OutboundMessage message = queued(5, text("t", "m", QoS.AT_LEAST_ONCE));
        store.addOutbound("client", message);

        assertThatCode(() -> {
            store.removeOutbound("client", 4);
            store.removeOutbound("client", 6);
        }).doesNotThrowAnyException();

        assertThat(loaded("client").outbound()).containsExactly(message);
    }

    @Test
    @DisplayName("a removed message's sequence may be added again while it is higher than every held one")
    void freedSequenceMayBeAddedAgain() {
        store.save(SessionState.empty("client", 60));
        store.addOutbound("client", queued(1, text("t", "1", QoS.AT_LEAST_ONCE)));
        store.addOutbound("client", queued(2, text("t", "old", QoS.AT_LEAST_ONCE)));
        store.removeOutbound("client", 2);

        store.addOutbound("client", queued(2, text("t", "new", QoS.EXACTLY_ONCE)));

        assertThat(loaded("client").outbound()).containsExactly(queued(1, text("t", "1", QoS.AT_LEAST_ONCE)),
                queued(2, text("t", "new", QoS.EXACTLY_ONCE)));
    }

    @Test
    @DisplayName("thousands of messages stay in sequence order through updates and removals")
    void manyMessagesStayOrdered() {
        store.save(SessionState.empty("client", 60));
        int count = 3_000;
        Map<Long, OutboundMessage> expected = new java.util.TreeMap<>();
        for (long s = 1; s <= count; s++) {
            OutboundMessage message = queued(s * 3, text("t/" + (s % 7), "m" + s, QoS.EXACTLY_ONCE));
            expected.put(s * 3, message);
            store.addOutbound("client", message);
        }
        for (long s = 1; s <= count; s++) {
            long sequence = s * 3;
            if (s % 3 == 0) {
                store.removeOutbound("client", sequence);
                expected.remove(sequence);
            } else if (s % 5 == 0) {
                int packetId = (int) (s % 65_535) + 1;
                store.updateOutbound("client", sequence, packetId, OutboundState.SENT);
                expected.computeIfPresent(sequence, (k, m) -> m.with(packetId, OutboundState.SENT));
            }
        }

        assertThat(loaded("client").outbound()).containsExactlyElementsOf(expected.values());
    }

    @Test
    @DisplayName("outgoing message changes touch no other session")
    void outboundChangesTouchNoOtherSession() {
        store.save(SessionState.empty("client", 60));
        store.save(SessionState.empty("other", 60));
        OutboundMessage theirs = queued(1, text("t", "theirs", QoS.AT_LEAST_ONCE));
        store.addOutbound("other", theirs);

        store.addOutbound("client", queued(1, text("t", "mine", QoS.AT_LEAST_ONCE)));
        store.updateOutbound("client", 1, 7, OutboundState.SENT);
        store.removeOutbound("client", 1);

        assertThat(loaded("other").outbound()).containsExactly(theirs);
    }

    // incoming QoS 2 packet identifiers

    @Test
    @DisplayName("addInboundQos2 records packet identifiers across the whole range")
    void addInboundQos2Records() {
        store.save(SessionState.empty("client", 60));
        store.addInboundQos2("client", 1);
        store.addInboundQos2("client", 256);
        store.addInboundQos2("client", 65_535);

        assertThat(loaded("client").inboundQos2()).containsExactlyInAnyOrder(1, 256, 65_535);
    }

    @Test
    @DisplayName("adding the same packet identifier twice holds it once")
    void addInboundQos2TwiceHoldsOnce() {
        store.save(SessionState.empty("client", 60));
        store.addInboundQos2("client", 7);
        store.addInboundQos2("client", 7);

        assertThat(loaded("client").inboundQos2()).containsExactly(7);

        store.removeInboundQos2("client", 7);

        assertThat(loaded("client").inboundQos2()).isEmpty();
    }

    @Test
    @DisplayName("removeInboundQos2 frees exactly that packet identifier")
    void removeInboundQos2Frees() {
        store.save(SessionState.empty("client", 60));
        store.addInboundQos2("client", 1);
        store.addInboundQos2("client", 2);
        store.addInboundQos2("client", 3);

        store.removeInboundQos2("client", 2);

        assertThat(loaded("client").inboundQos2()).containsExactlyInAnyOrder(1, 3);
    }

    @Test
    @DisplayName("a freed packet identifier can be recorded again")
    void freedInboundIdCanBeRecordedAgain() {
        store.save(SessionState.empty("client", 60));
        store.addInboundQos2("client", 10);
        store.removeInboundQos2("client", 10);

        store.addInboundQos2("client", 10);

        assertThat(loaded("client").inboundQos2()).containsExactly(10);
    }

    @Test
    @DisplayName("removeInboundQos2 of a packet identifier the session does not hold is ignored")
    void removeInboundQos2OfUnknownIdIgnored() {
        store.save(SessionState.empty("client", 60));
        store.addInboundQos2("client", 1);

        assertThatCode(() -> store.removeInboundQos2("client", 2)).doesNotThrowAnyException();

        assertThat(loaded("client").inboundQos2()).containsExactly(1);
    }

    @Test
    @DisplayName("packet identifier changes touch no other session")
    void inboundChangesTouchNoOtherSession() {
        store.save(SessionState.empty("client", 60));
        store.save(SessionState.empty("other", 60));
        store.addInboundQos2("other", 5);

        store.addInboundQos2("client", 6);
        store.removeInboundQos2("client", 5);

        assertThat(loaded("other").inboundQos2()).containsExactly(5);
        assertThat(loaded("client").inboundQos2()).containsExactly(6);
    }

    // will

    @Test
    @DisplayName("setWill sets the will of the session")
    void setWillSets() {
        store.save(SessionState.empty("client", 60));
        StoredWill will = new StoredWill(text("status", "offline", QoS.AT_LEAST_ONCE), 10);

        store.setWill("client", will);

        assertThat(loaded("client").will()).isEqualTo(will);
    }

    @Test
    @DisplayName("setWill replaces the will held before")
    void setWillReplaces() {
        store.save(SessionState.empty("client", 60));
        store.setWill("client", new StoredWill(rich("status", QoS.EXACTLY_ONCE, true), 100));
        StoredWill second = new StoredWill(text("status", "second", QoS.AT_MOST_ONCE), 0);

        store.setWill("client", second);

        assertThat(loaded("client").will()).isEqualTo(second);
    }

    @Test
    @DisplayName("setWill with null clears the will")
    void setWillNullClears() {
        store.save(SessionState.empty("client", 60));
        store.setWill("client", new StoredWill(text("status", "offline", QoS.AT_LEAST_ONCE), 10));

        store.setWill("client", null);

        assertThat(loaded("client").will()).isNull();
    }

    @Test
    @DisplayName("setWill with null on a session without a will leaves it without one")
    void clearWithoutWill() {
        store.save(SessionState.empty("client", 60));
        assertThatCode(() -> store.setWill("client", null)).doesNotThrowAnyException();

        assertThat(loaded("client").will()).isNull();
    }

    @Test
    @DisplayName("setWill leaves subscriptions, messages and packet identifiers untouched")
    void setWillKeepsEverythingElse() {
        store.save(SessionState.empty("client", 60));
        SessionState session = full("full");
        store.save(session);

        store.setWill("full", null);

        assertSameSession(loaded("full"), new SessionState("full", session.expiryInterval(),
                session.disconnectedAt(), session.subscriptions(), session.outbound(), session.inboundQos2(),
                null));
    }

    // updates naming a session the store does not hold

    @ParameterizedTest(name = "{0} is ignored and creates no session")
    @MethodSource("io.cairn.api.persistence.tck.SessionStoreContract#updates")
    void updateOfUnknownSessionIsIgnored(BiConsumer<SessionStore, String> update) {
        SessionState other = full("other");
        store.save(other);

        assertThatCode(() -> update.accept(store, "ghost")).doesNotThrowAnyException();

        assertThat(store.load("ghost")).isEmpty();
        assertThat(store.size()).isEqualTo(1);
        assertThat(visitAll()).extracting(SessionState::clientId).containsExactly("other");
        assertSameSession(loaded("other"), other);
    }

    @ParameterizedTest(name = "{0} after remove is ignored and does not bring the session back")
    @MethodSource("io.cairn.api.persistence.tck.SessionStoreContract#updates")
    void updateAfterRemoveIsIgnored(BiConsumer<SessionStore, String> update) {
        store.save(full("client"));
        store.remove("client");

        assertThatCode(() -> update.accept(store, "client")).doesNotThrowAnyException();

        assertThat(store.load("client")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("every kind of update on an unknown session, one after another, leaves the store empty")
    void allUpdatesLeaveStoreEmpty() {
        updates().forEach(update -> {
            update.getPayload().accept(store, "ghost");
            assertThat(store.load("ghost")).as("session after %s", update.getName()).isEmpty();
            assertThat(store.size()).as("size after %s", update.getName()).isZero();
        });

        assertThat(visitAll()).isEmpty();
    }

    // forEach and size

    @Test
    @DisplayName("forEach visits every session once, with everything it holds")
    void forEachVisitsEachOnce() {
        Map<String, SessionState> saved = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            SessionState session = i % 2 == 0 ? full("client-" + i) : SessionState.empty("client-" + i, i);
            saved.put(session.clientId(), session);
            store.save(session);
        }

        List<SessionState> visited = visitAll();

        assertThat(visited).extracting(SessionState::clientId)
                .containsExactlyInAnyOrderElementsOf(saved.keySet());
        visited.forEach(state -> assertSameSession(state, saved.get(state.clientId())));
    }

    @Test
    @DisplayName("forEach sees the changes made by updates and no removed session")
    void forEachSeesUpdates() {
        store.save(SessionState.empty("a", 60));
        store.save(SessionState.empty("b", 60));
        store.save(SessionState.empty("c", 60));
        store.putSubscription("a", Subscription.of("x", QoS.AT_LEAST_ONCE));
        store.addInboundQos2("b", 3);
        store.remove("c");

        Map<String, SessionState> visited = new ConcurrentHashMap<>();
        store.forEach(state -> visited.put(state.clientId(), state));

        assertThat(visited).containsOnlyKeys("a", "b");
        assertThat(visited.get("a").subscriptions()).containsExactly(Subscription.of("x", QoS.AT_LEAST_ONCE));
        assertThat(visited.get("b").inboundQos2()).containsExactly(3);
    }

    @Test
    @DisplayName("size counts sessions: save of a new client adds one, save of a held one and updates add none")
    void sizeCountsSessions() {
        assertThat(store.size()).isZero();

        store.save(SessionState.empty("a", 60));
        store.save(full("b"));
        assertThat(store.size()).isEqualTo(2);

        store.save(full("a"));
        store.putSubscription("a", Subscription.of("y", QoS.AT_MOST_ONCE));
        store.addOutbound("a", queued(100, text("t", "m", QoS.AT_LEAST_ONCE)));
        store.updateConnection("b", T0, 60);
        assertThat(store.size()).isEqualTo(2);

        store.remove("a");
        assertThat(store.size()).isEqualTo(1);
        store.remove("b");
        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("forEach visits every session held throughout exactly once while other sessions come and go")
    void forEachDuringChurn() throws Exception {
        int stable = 300;
        for (int i = 0; i < stable; i++) {
            store.save(small("stable-" + i));
        }
        ExecutorService executor = Executors.newSingleThreadExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch churning = new CountDownLatch(1);
        try {
            Future<?> churn = executor.submit(() -> {
                churning.countDown();
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    store.save(small("churn-" + i));
                    store.addOutbound("churn-" + i, queued(3, text("t", "m", QoS.AT_LEAST_ONCE)));
                    store.remove("churn-" + (i - 3));
                }
            });
            assertThat(churning.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

            for (int round = 0; round < 5; round++) {
                Map<String, Integer> visits = new ConcurrentHashMap<>();
                store.forEach(state -> {
                    visits.merge(state.clientId(), 1, Integer::sum);
                    assertOutboundAscending(state);
                });
                for (int i = 0; i < stable; i++) {
                    assertThat(visits.get("stable-" + i)).as("visits of stable-%d in round %d", i, round)
                            .isEqualTo(1);
                }
                assertThat(visits.values()).as("no session is visited twice").containsOnly(1);
            }
            stop.set(true);
            churn.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            shutdown(executor);
        }
    }

    // snapshots

    @Test
    @DisplayName("a loaded session does not change when the store changes later")
    void loadedStateIsSnapshot() {
        SessionState session = full("client");
        store.save(session);
        SessionState before = loaded("client");
        List<SessionState> visitedBefore = visitAll();

        store.putSubscription("client", Subscription.of("new/#", QoS.AT_LEAST_ONCE));
        store.removeSubscription("client", "a/b");
        store.addOutbound("client", queued(11, text("new", "m", QoS.AT_LEAST_ONCE)));
        store.updateOutbound("client", 9, 99, OutboundState.SENT);
        store.removeOutbound("client", 3);
        store.addInboundQos2("client", 2);
        store.removeInboundQos2("client", 1);
        store.setWill("client", null);
        store.updateConnection("client", 0, 1);

        assertSameSession(before, session);
        assertThat(visitedBefore).hasSize(1);
        assertSameSession(visitedBefore.get(0), session);

        store.remove("client");

        assertSameSession(before, session);
    }

    @Test
    @DisplayName("the store does not change when the session it was given is reused to build others")
    void savedStateIsDecoupled() {
        SessionState session = full("client");
        store.save(session);

        List<Subscription> grown = new ArrayList<>(session.subscriptions());
        grown.add(Subscription.of("extra", QoS.AT_MOST_ONCE));
        store.save(new SessionState("copy", 1, 0, grown, session.outbound(), session.inboundQos2(), null));
        byte[] payload = loaded("client").outbound().get(0).message().payloadBytes();
        payload[0] = (byte) 0x55;

        assertSameSession(loaded("client"), session);
    }

    // sync

    @Test
    @DisplayName("sync completes on an empty store")
    void syncOnEmptyStoreCompletes() throws Exception {
        assertCompletes(store.sync());
    }

    @Test
    @DisplayName("sync completes after changes of every kind, and the changes stay visible")
    void syncAfterChangesCompletes() throws Exception {
        store.save(full("client"));
        store.save(SessionState.empty("gone", 1));
        store.putSubscription("client", Subscription.of("s", QoS.AT_LEAST_ONCE));
        store.removeSubscription("client", "a/b");
        store.addOutbound("client", queued(11, text("t", "m", QoS.AT_LEAST_ONCE)));
        store.updateOutbound("client", 11, 8, OutboundState.SENT);
        store.removeOutbound("client", 3);
        store.addInboundQos2("client", 2);
        store.removeInboundQos2("client", 300);
        store.setWill("client", null);
        store.updateConnection("client", T0, 9);
        store.remove("gone");

        assertCompletes(store.sync());

        SessionState state = loaded("client");
        assertThat(state.subscriptions()).extracting(Subscription::topicFilter)
                .containsExactlyInAnyOrder("sensors/+/temperature", "$share/group/alerts/#", "s");
        assertThat(state.outbound()).extracting(OutboundMessage::sequence).containsExactly(4L, 9L, 10L, 11L);
        assertThat(state.outbound().get(3).packetId()).isEqualTo(8);
        assertThat(state.inboundQos2()).containsExactlyInAnyOrder(1, 2, 65_535);
        assertThat(state.will()).isNull();
        assertThat(state.disconnectedAt()).isEqualTo(T0);
        assertThat(state.expiryInterval()).isEqualTo(9);
        assertThat(store.load("gone")).isEmpty();
    }

    @Test
    @DisplayName("every sync call completes, also when several are outstanding")
    void repeatedSyncCompletes() throws Exception {
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            store.save(SessionState.empty("client-" + i, i));
            stages.add(store.sync());
        }
        for (CompletionStage<Void> stage : stages) {
            assertCompletes(stage);
        }
        assertThat(store.size()).isEqualTo(20);
    }

    // thread safety

    @Test
    @DisplayName("threads changing different sessions at the same time lose no update")
    void concurrentWritersLoseNoUpdate() throws Exception {
        runScripts(false);

        assertScriptOutcome();
    }

    @Test
    @DisplayName("load and forEach running alongside writers see whole sessions and disturb nothing")
    void readersAlongsideWriters() throws Exception {
        runScripts(true);

        assertScriptOutcome();
    }

    private void runScripts(boolean withReaders) throws Exception {
        int readers = withReaders ? 2 : 0;
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
                        runInterleaved(thread);
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
                        readSessions(reads++);
                    } finally {
                        readersReading.countDown();
                    }
                    while (writersLeft.get() > 0 && reads < MAX_READS) {
                        readSessions(reads++);
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

    /** Reads while the writers write: every session seen MUST be whole, its messages in sequence order. */
    private void readSessions(int round) {
        store.forEach(SessionStoreContract::assertOutboundAscending);
        store.load(clientId(round % WRITER_THREADS, round % CLIENTS_PER_THREAD))
                .ifPresent(SessionStoreContract::assertOutboundAscending);
    }

    /**
     * Runs the scripts of one thread's clients step by step, one client after the other in each step. Between
     * steps a short-lived session comes and goes, so that the threads keep adding to and removing from the
     * store's index of sessions while the others do too.
     */
    private void runInterleaved(int thread) {
        List<List<Consumer<SessionStore>>> scripts = new ArrayList<>();
        for (int c = 0; c < CLIENTS_PER_THREAD; c++) {
            scripts.add(script(thread, c));
        }
        int longest = scripts.stream().mapToInt(List::size).max().orElse(0);
        for (int step = 0; step < longest; step++) {
            for (List<Consumer<SessionStore>> script : scripts) {
                if (step < script.size()) {
                    script.get(step).accept(store);
                }
            }
            String passing = "transient-" + thread + "-" + step;
            store.save(SessionState.empty(passing, 1));
            store.addInboundQos2(passing, 1);
            store.remove(passing);
        }
    }

    private void assertScriptOutcome() {
        int expectedSize = 0;
        for (int t = 0; t < WRITER_THREADS; t++) {
            for (int c = 0; c < CLIENTS_PER_THREAD; c++) {
                Optional<SessionState> expected = expectedAfterScript(t, c);
                Optional<SessionState> actual = store.load(clientId(t, c));
                if (expected.isEmpty()) {
                    assertThat(actual).as("removed session %s", clientId(t, c)).isEmpty();
                } else {
                    expectedSize++;
                    assertThat(actual).as("session %s", clientId(t, c)).isPresent();
                    assertSameSession(actual.get(), expected.get());
                }
            }
        }
        assertThat(store.size()).isEqualTo(expectedSize);
        assertThat(visitAll()).hasSize(expectedSize);
    }

    /** A session with one subscription and two outgoing messages, cheap enough to save thousands of times. */
    private static SessionState small(String clientId) {
        return new SessionState(clientId, 60, 0, List.of(Subscription.of("t/#", QoS.AT_LEAST_ONCE)),
                List.of(queued(1, text("t/1", "one", QoS.AT_LEAST_ONCE)),
                        queued(2, text("t/2", "two", QoS.EXACTLY_ONCE)).with(2, OutboundState.SENT)),
                Set.of(), null);
    }

    private static String clientId(int thread, int client) {
        return "writer-" + thread + "-client-" + client;
    }

    private static Message scriptMessage(String id, long sequence) {
        return text("t/" + id + "/" + (sequence % 4), id + "#" + sequence,
                sequence % 2 == 0 ? QoS.AT_LEAST_ONCE : QoS.EXACTLY_ONCE);
    }

    /** The changes one client goes through in the thread-safety tests, one store call per step. */
    private static List<Consumer<SessionStore>> script(int thread, int client) {
        String id = clientId(thread, client);
        List<Consumer<SessionStore>> steps = new ArrayList<>();
        steps.add(s -> s.save(SessionState.empty(id, 60)));
        for (int k = 0; k < 4; k++) {
            Subscription subscription = Subscription.of("t/" + id + "/" + k, QoS.of(k % 3));
            steps.add(s -> s.putSubscription(id, subscription));
        }
        for (long seq = 1; seq <= MESSAGES_PER_CLIENT; seq++) {
            OutboundMessage message = queued(seq, scriptMessage(id, seq));
            steps.add(s -> s.addOutbound(id, message));
            if (seq % 2 == 1) {
                long sequence = seq;
                steps.add(s -> s.updateOutbound(id, sequence, (int) sequence, OutboundState.SENT));
            }
        }
        for (long seq = 1; seq <= MESSAGES_PER_CLIENT; seq++) {
            long sequence = seq;
            if (seq % 4 == 1) {
                steps.add(s -> s.updateOutbound(id, sequence, (int) sequence, OutboundState.RELEASED));
            }
            if (seq % 3 == 0) {
                steps.add(s -> s.removeOutbound(id, sequence));
            }
        }
        for (int p = 1; p <= INBOUND_IDS_PER_CLIENT; p++) {
            int packetId = p;
            steps.add(s -> s.addInboundQos2(id, packetId));
        }
        for (int p = 2; p <= INBOUND_IDS_PER_CLIENT; p += 2) {
            int packetId = p;
            steps.add(s -> s.removeInboundQos2(id, packetId));
        }
        steps.add(s -> s.setWill(id, new StoredWill(text("will/" + id, "gone", QoS.AT_LEAST_ONCE), client)));
        steps.add(s -> s.updateConnection(id, T0 + thread * 1_000L + client, 120));
        steps.add(s -> s.removeSubscription(id, "t/" + id + "/0"));
        steps.add(s -> s.putSubscription(id, Subscription.of("t/" + id + "/1", QoS.EXACTLY_ONCE)));
        if (client % 5 == 0) {
            steps.add(s -> s.remove(id));
        }
        return steps;
    }

    /** What {@link #script(int, int)} leaves behind, worked out independently of any store. */
    private static Optional<SessionState> expectedAfterScript(int thread, int client) {
        if (client % 5 == 0) {
            return Optional.empty();
        }
        String id = clientId(thread, client);
        List<Subscription> subscriptions = List.of(Subscription.of("t/" + id + "/1", QoS.EXACTLY_ONCE),
                Subscription.of("t/" + id + "/2", QoS.EXACTLY_ONCE),
                Subscription.of("t/" + id + "/3", QoS.AT_MOST_ONCE));
        List<OutboundMessage> outbound = new ArrayList<>();
        for (long seq = 1; seq <= MESSAGES_PER_CLIENT; seq++) {
            if (seq % 3 == 0) {
                continue;
            }
            OutboundMessage message = queued(seq, scriptMessage(id, seq));
            if (seq % 4 == 1) {
                message = message.with((int) seq, OutboundState.RELEASED);
            } else if (seq % 2 == 1) {
                message = message.with((int) seq, OutboundState.SENT);
            }
            outbound.add(message);
        }
        Set<Integer> inbound = new HashSet<>();
        for (int p = 1; p <= INBOUND_IDS_PER_CLIENT; p += 2) {
            inbound.add(p);
        }
        return Optional.of(new SessionState(id, 120, T0 + thread * 1_000L + client, subscriptions, outbound,
                inbound, new StoredWill(text("will/" + id, "gone", QoS.AT_LEAST_ONCE), client)));
    }

    /** Every kind of update a store receives, named for the parameterised tests. */
    static Stream<Named<BiConsumer<SessionStore, String>>> updates() {
        return Stream.of(
                update("updateConnection", (s, id) -> s.updateConnection(id, T0, 60)),
                update("putSubscription", (s, id) -> s.putSubscription(id, Subscription.of("a/#", QoS.AT_LEAST_ONCE))),
                update("removeSubscription", (s, id) -> s.removeSubscription(id, "sensors/+/temperature")),
                update("addOutbound", (s, id) -> s.addOutbound(id, queued(100, text("a", "b", QoS.AT_LEAST_ONCE)))),
                update("updateOutbound", (s, id) -> s.updateOutbound(id, 9, 1, OutboundState.SENT)),
                update("removeOutbound", (s, id) -> s.removeOutbound(id, 9)),
                update("addInboundQos2", (s, id) -> s.addInboundQos2(id, 5)),
                update("removeInboundQos2", (s, id) -> s.removeInboundQos2(id, 300)),
                update("setWill", (s, id) -> s.setWill(id, new StoredWill(text("w", "x", QoS.AT_MOST_ONCE), 0))),
                update("setWill(null)", (s, id) -> s.setWill(id, null)),
                update("remove", SessionStore::remove));
    }

    private static Named<BiConsumer<SessionStore, String>> update(String name, BiConsumer<SessionStore, String> u) {
        return Named.of(name, u);
    }

    /** The session of {@code clientId}, which the store MUST hold. */
    private SessionState loaded(String clientId) {
        Optional<SessionState> state = store.load(clientId);
        assertThat(state).as("session %s", clientId).isPresent();
        return state.get();
    }

    private List<SessionState> visitAll() {
        List<SessionState> visited = Collections.synchronizedList(new ArrayList<>());
        store.forEach(visited::add);
        return visited;
    }

    /**
     * Asserts that {@code actual} holds what {@code expected} holds. Subscriptions may come in any order (the
     * contract keeps one per topic filter and no order); outgoing messages MUST come in ascending sequence.
     */
    protected static void assertSameSession(SessionState actual, SessionState expected) {
        String id = expected.clientId();
        assertThat(actual.clientId()).as("clientId").isEqualTo(id);
        assertThat(actual.expiryInterval()).as("expiryInterval of %s", id).isEqualTo(expected.expiryInterval());
        assertThat(actual.disconnectedAt()).as("disconnectedAt of %s", id).isEqualTo(expected.disconnectedAt());
        assertThat(actual.subscriptions()).as("subscriptions of %s", id)
                .containsExactlyInAnyOrderElementsOf(expected.subscriptions());
        assertThat(actual.outbound()).as("outbound of %s", id).containsExactlyElementsOf(expected.outbound());
        assertThat(actual.inboundQos2()).as("inboundQos2 of %s", id).isEqualTo(expected.inboundQos2());
        assertThat(actual.will()).as("will of %s", id).isEqualTo(expected.will());
    }

    private static void assertOutboundAscending(SessionState state) {
        List<OutboundMessage> outbound = state.outbound();
        for (int i = 1; i < outbound.size(); i++) {
            assertThat(outbound.get(i).sequence()).as("outbound of %s in ascending sequence", state.clientId())
                    .isGreaterThan(outbound.get(i - 1).sequence());
        }
    }
}
