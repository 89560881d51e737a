package io.cairn.kernel.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.broker.DropReason;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedGroup;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.persistence.mem.MemorySessionStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outgoing flows of one session without a network: the in-flight window, the bounded queue that drops QoS 0
 * first, packet identifiers, acknowledgements and the re-send on reconnect. Every call runs on the session's
 * event loop, as in the broker.
 */
class SessionTest {

    private final EventLoop loop = new DefaultEventLoop();
    private final MemorySessionStore store = new MemorySessionStore();
    private long drops;

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private SessionHost host(int maxInflight, int maxQueued) {
        BrokerSettings settings = BrokerSettings.builder().maxInflight(maxInflight).maxQueuedMessages(maxQueued)
                .build();
        return new SessionHost() {
            @Override public BrokerSettings settings() { return settings; }
            @Override public SessionStore store() { return store; }
            @Override public void index(Session session, Subscription subscription) { }
            @Override public void unindex(Session session, String topicFilter) { }
            @Override public void dropped(String clientId, String topic, DropReason reason) { drops++; }
            @Override public void expired(Session session) { }
            @Override public void publishWill(StoredWill will) { }
            @Override public boolean passOn(SharedGroup group, Publication publication, Session from) {
                return false;
            }
        };
    }

    /** Records what the session writes; writable or not as the test says. */
    private final class RecordingOutlet implements Outlet {
        final List<String> written = new ArrayList<>();
        boolean writable = true;

        @Override public EventLoop eventLoop() { return loop; }
        @Override public boolean isWritable() { return writable; }
        @Override public int receiveMaximum() { return 65_535; }
        @Override public boolean fits(Publication p, QoS qos, int[] subscriptionIds) { return true; }
        @Override public void writePublish(Publication p, QoS qos, int packetId, boolean retain, boolean dup,
                                           int[] subscriptionIds) {
            written.add(p.topic() + " q" + qos.value() + " id" + packetId + (dup ? " dup" : "") + (retain ? " r" : ""));
        }
        @Override public void writePubrel(int packetId, boolean known) { written.add("PUBREL " + packetId); }
        @Override public void closeForTakeover() { }
        @Override public void closeByServer(ReasonCode code, String reason) { }
    }

    private static Publication message(String topic, QoS qos) {
        return new Publication(topic, Unpooled.copiedBuffer("x", StandardCharsets.UTF_8), qos, false,
                MessageProperties.NONE, System.currentTimeMillis());
    }

    private void offer(Session s, String topic, QoS qos) {
        Publication p = message(topic, qos);
        try {
            s.offer(p, qos, false);
        } finally {
            p.release();
        }
    }

    private void onLoop(Runnable r) {
        loop.submit(r).syncUninterruptibly();
    }

    @Test
    void theInflightWindowQueuesTheRestAndEachAckSendsTheNext() {
        onLoop(() -> {
            Session s = new Session("c", 0, loop, host(2, 10));
            RecordingOutlet out = new RecordingOutlet();
            s.attach(out);
            offer(s, "a", QoS.AT_LEAST_ONCE);
            offer(s, "b", QoS.AT_LEAST_ONCE);
            offer(s, "c", QoS.AT_LEAST_ONCE);
            assertThat(out.written).containsExactly("a q1 id1", "b q1 id2");
            assertThat(s.info().inflight()).isEqualTo(2);
            assertThat(s.info().queued()).isEqualTo(1);
            s.onPuback(1);
            assertThat(out.written).containsExactly("a q1 id1", "b q1 id2", "c q1 id3");
            s.onPuback(2);
            s.onPuback(3);
            assertThat(s.info().inflight()).isZero();
            s.destroy();
        });
    }

    @Test
    void aFullQueueDropsQos0FirstAndCountsEveryDrop() {
        onLoop(() -> {
            Session s = new Session("slow", 0, loop, host(1, 3));
            RecordingOutlet out = new RecordingOutlet();
            s.attach(out);
            out.writable = false;
            offer(s, "zero-1", QoS.AT_MOST_ONCE);
            offer(s, "one-1", QoS.AT_LEAST_ONCE);
            offer(s, "zero-2", QoS.AT_MOST_ONCE);
            offer(s, "one-2", QoS.AT_LEAST_ONCE);   // full: zero-1 goes
            offer(s, "one-3", QoS.AT_LEAST_ONCE);   // full: zero-2 goes
            offer(s, "one-4", QoS.AT_LEAST_ONCE);   // full, no QoS 0 left: one-4 itself is dropped
            offer(s, "zero-3", QoS.AT_MOST_ONCE);   // full, no QoS 0 queued: dropped
            assertThat(drops).isEqualTo(4);
            assertThat(s.info().dropped()).isEqualTo(4);
            out.writable = true;
            s.drain();
            s.onPuback(1);
            s.onPuback(2);
            assertThat(out.written).containsExactly("one-1 q1 id1", "one-2 q1 id2", "one-3 q1 id3");
            s.destroy();
        });
    }

    @Test
    void qos2GoesThroughPubrecPubrelPubcompAndPacketIdsInUseAreSkipped() {
        onLoop(() -> {
            Session s = new Session("q2", 0, loop, host(3, 10));
            RecordingOutlet out = new RecordingOutlet();
            s.attach(out);
            offer(s, "a", QoS.EXACTLY_ONCE);
            offer(s, "b", QoS.EXACTLY_ONCE);
            s.onPubrec(1, false);
            assertThat(out.written).containsExactly("a q2 id1", "b q2 id2", "PUBREL 1");
            s.onPubcomp(1);
            offer(s, "c", QoS.EXACTLY_ONCE);
            assertThat(out.written).last().isEqualTo("c q2 id3");
            s.onPubcomp(2); // no PUBREC yet for 2: ignored, 2 stays in flight
            assertThat(s.info().inflight()).isEqualTo(2);
            s.destroy();
        });
    }

    @Test
    void onReconnectUnacknowledgedMessagesGoAgainWithDupAndReleasedOnesAsPubrelInOrder() {
        onLoop(() -> {
            Session s = new Session("p", SessionState.NEVER_EXPIRES, loop, host(10, 10));
            RecordingOutlet first = new RecordingOutlet();
            s.attach(first);
            offer(s, "one", QoS.AT_LEAST_ONCE);
            offer(s, "two", QoS.EXACTLY_ONCE);
            offer(s, "three", QoS.EXACTLY_ONCE);
            s.onPubrec(2, false);
            s.detach(first);
            offer(s, "offline", QoS.AT_LEAST_ONCE);
            offer(s, "dropped-offline", QoS.AT_MOST_ONCE);
            RecordingOutlet second = new RecordingOutlet();
            s.attach(second);
            assertThat(second.written).containsExactly("one q1 id1 dup", "PUBREL 2", "three q2 id3 dup",
                    "offline q1 id4");
            assertThat(store.load("p")).get().satisfies(state -> assertThat(state.outbound()).hasSize(4));
            s.destroy();
            assertThat(store.load("p")).isEmpty();
        });
    }

    @Test
    void aRepeatedIncomingQos2PacketIdIsRecognisedUntilPubrel() {
        onLoop(() -> {
            Session s = new Session("in", 0, loop, host(10, 10));
            assertThat(s.receiveQos2(7)).isTrue();
            assertThat(s.receiveQos2(7)).isFalse();
            s.releaseQos2(7);
            assertThat(s.receiveQos2(7)).isTrue();
            s.destroy();
        });
    }
}
