package io.cairn.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.UserProperty;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.api.persistence.tck.SessionStoreContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the session store contract against the H2 MVStore candidate, plus what only a durable store promises:
 * what was synced is there after the store is closed and opened again.
 */
class MvStoreSessionStoreTest extends SessionStoreContract {

    @TempDir
    Path dir;

    private MvStoreStores stores;

    @Override
    protected SessionStore newStore() {
        try {
            stores = MvStoreStores.open(dir.resolve("store"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return stores.sessions();
    }

    @Override
    protected void dispose(SessionStore store) {
        stores.close();
    }

    @Test
    @DisplayName("sessions and their changes survive close and reopen; sync says it waits for disk")
    void survivesReopen() throws Exception {
        SessionStore store = store();
        assertThat(store.durable()).isTrue();
        Message rich = Message.of("a/b", new byte[] {0, (byte) 0xFF, 7}, QoS.EXACTLY_ONCE, true,
                MessageProperties.of(60, "text/plain", true, "reply/\ud83d", new byte[] {1, 2},
                        List.of(new UserProperty("k", "v"))));
        SessionState session = new SessionState("c\u0000lient", 3600, 5,
                List.of(Subscription.of("x/#", QoS.AT_LEAST_ONCE), new Subscription("y", QoS.EXACTLY_ONCE, true,
                        true, 2, 99)),
                List.of(new OutboundMessage(1, rich, 0, OutboundState.QUEUED, 10, List.of(3, 4))),
                Set.of(7), new StoredWill(rich, 12));
        store.save(session);
        store.save(SessionState.empty("other", 1));
        store.addOutbound("c\u0000lient", new OutboundMessage(2, text("t", "two"), 0, OutboundState.QUEUED, 11));
        store.updateOutbound("c\u0000lient", 2, 5, OutboundState.SENT);
        store.addOutbound("c\u0000lient", new OutboundMessage(3, text("t", "three"), 0, OutboundState.QUEUED, 12));
        store.removeOutbound("c\u0000lient", 1);
        store.remove("other");
        store.sync().toCompletableFuture().get(30, TimeUnit.SECONDS);
        stores.close();

        stores = MvStoreStores.open(dir.resolve("store"));
        SessionStore reopened = stores.sessions();

        assertThat(reopened.size()).isEqualTo(1);
        SessionState expected = new SessionState("c\u0000lient", 3600, 5, session.subscriptions(),
                List.of(new OutboundMessage(2, text("t", "two"), 5, OutboundState.SENT, 11),
                        new OutboundMessage(3, text("t", "three"), 0, OutboundState.QUEUED, 12)),
                Set.of(7), new StoredWill(rich, 12));
        assertSameSession(reopened.load("c\u0000lient").orElseThrow(), expected);

        // a session created after the reopen gets a fresh key: it does not see the messages of another
        reopened.save(SessionState.empty("new", 1));
        assertThat(reopened.load("new").orElseThrow().outbound()).isEmpty();
        assertSameSession(reopened.load("c\u0000lient").orElseThrow(), expected);
    }

    private static Message text(String topic, String text) {
        return Message.of(topic, text.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false);
    }
}
