package io.cairn.persistence.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.api.persistence.tck.SessionStoreContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the session store contract against {@link MemorySessionStore}, plus what is particular to it. */
class MemorySessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return new MemorySessionStore();
    }

    @Test
    @DisplayName("every session moves to another store through forEach and save, as when the kernel switches stores")
    void sessionsMoveToAnotherStore() {
        for (int i = 0; i < 20; i++) {
            store().save(session("client-" + i, i));
        }
        MemorySessionStore target = new MemorySessionStore();

        store().forEach(target::save);

        assertThat(target.size()).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertSameSession(target.load("client-" + i).orElseThrow(), session("client-" + i, i));
        }
    }

    @Test
    @DisplayName("a moved session is independent of the store it came from")
    void movedSessionIsIndependent() {
        store().save(session("client", 1));
        MemorySessionStore target = new MemorySessionStore();
        store().forEach(target::save);

        store().removeOutbound("client", 1);
        store().putSubscription("client", Subscription.of("only/in/source", QoS.AT_MOST_ONCE));
        target.updateOutbound("client", 1, 9, OutboundState.SENT);

        assertThat(target.load("client").orElseThrow().subscriptions()).extracting(Subscription::topicFilter)
                .doesNotContain("only/in/source");
        assertThat(store().load("client").orElseThrow().outbound()).extracting(OutboundMessage::sequence)
                .containsExactly(2L);
        assertThat(target.load("client").orElseThrow().outbound()).extracting(OutboundMessage::packetId)
                .containsExactly(9, 0);
    }

    @Test
    @DisplayName("separate instances share nothing")
    void instancesAreSeparate() {
        MemorySessionStore other = new MemorySessionStore();

        store().save(session("client", 1));

        assertThat(other.load("client")).isEmpty();
        assertThat(other.size()).isZero();
    }

    @Test
    @DisplayName("toString names the store and the number of sessions")
    void toStringCountsSessions() {
        store().save(session("a", 1));
        store().save(session("b", 2));

        assertThat(store()).hasToString("MemorySessionStore[sessions=2]");
    }

    private static SessionState session(String clientId, int n) {
        Message message = Message.of("t/" + clientId, ("payload " + n).getBytes(StandardCharsets.UTF_8),
                QoS.AT_LEAST_ONCE, false);
        return new SessionState(clientId, 60 + n, n, List.of(Subscription.of("t/" + clientId + "/#", QoS.of(n % 3))),
                List.of(new OutboundMessage(1, message, 0, OutboundState.QUEUED, n),
                        new OutboundMessage(2, message.withQos(QoS.EXACTLY_ONCE), 0, OutboundState.QUEUED, n)),
                Set.of(n + 1), new StoredWill(message, n));
    }
}
