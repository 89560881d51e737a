package io.cairn.kernel.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.persistence.Delivery;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.tck.ForwardingSessionStore;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.TestBroker;
import io.cairn.persistence.mem.MemorySessionStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * With a durable session store the broker acknowledges only what the store has made durable: PUBACK, PUBREC and
 * PUBCOMP to a publisher wait for the store's sync, and so do the PUBLISH and PUBREL of a QoS 2 delivery to a
 * persistent subscriber. A store whose sync never completes on its own stands in for a slow disk.
 */
class DurableAcknowledgementTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    /** A memory store that claims durability; its syncs complete when the test (or an auto-flusher) says so. */
    static final class GatedStore extends ForwardingSessionStore {
        private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
        /** addOutbound calls made so far, and how many of them were made before the last completed sync. */
        final AtomicLong added = new AtomicLong();
        final AtomicLong durableAdds = new AtomicLong();
        private final ExecutorService disk;
        volatile boolean broken;

        GatedStore(boolean autoFlush) {
            super(new MemorySessionStore());
            disk = autoFlush ? Executors.newSingleThreadExecutor() : null;
        }

        @Override
        public boolean durable() {
            return true;
        }

        /** The addDeliveries calls: publisher, packet id, the clients the copies were for. */
        final List<String> routings = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void addDeliveries(String publisher, int inboundPacketId, List<Delivery> deliveries) {
            routings.add(publisher + "#" + inboundPacketId + " -> "
                    + deliveries.stream().map(Delivery::clientId).sorted().toList());
            super.addDeliveries(publisher, inboundPacketId, deliveries);
        }

        @Override
        public void addOutbound(String clientId, OutboundMessage message) {
            added.incrementAndGet();
            super.addOutbound(clientId, message);
        }

        @Override
        public synchronized CompletionStage<Void> sync() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            long upTo = added.get();
            if (disk != null) {
                disk.execute(() -> {
                    durableAdds.accumulateAndGet(upTo, Math::max);
                    f.complete(null);
                });
            } else {
                waiting.add(f);
            }
            return f;
        }

        List<String> routings() {
            return List.copyOf(routings);
        }

        synchronized int waiting() {
            return waiting.size();
        }

        /** Completes every sync asked for so far, as a disk that finished writing would. */
        void release() {
            List<CompletableFuture<Void>> done;
            synchronized (this) {
                done = new ArrayList<>(waiting);
                waiting.clear();
            }
            for (CompletableFuture<Void> f : done) {
                if (broken) {
                    f.completeExceptionally(new IOException("No space left on device"));
                } else {
                    f.complete(null);
                }
            }
        }

        void close() {
            if (disk != null) {
                disk.shutdownNow();
            }
        }
    }

    private TestBroker broker;
    private GatedStore store;
    private final List<RawMqttClient> clients = new ArrayList<>();

    private void start(boolean autoFlush) throws Exception {
        store = new GatedStore(autoFlush);
        broker = TestBroker.start(BrokerConfig.standard(), store);
    }

    private RawMqttClient persistentClient(String id) {
        RawMqttClient c = RawMqttClient.open(id, broker.port());
        clients.add(c);
        c.connect(Packets.connect(id).cleanSession(false));
        return c;
    }

    /** Waits until the broker has asked the store for a sync, then lets every sync asked for complete. */
    private void diskCatchesUp() {
        await().atMost(Duration.ofSeconds(5)).until(() -> store.waiting() > 0);
        store.release();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(RawMqttClient::close);
        if (broker != null) {
            store.release();
            broker.close();
        }
        store.close();
    }

    @Test
    @DisplayName("PUBACK waits until the message is durable in the queue of an offline persistent subscriber")
    void pubackWaitsForTheStore() throws Exception {
        start(false);
        RawMqttClient subscriber = persistentClient("keeper");
        subscriber.subscribe("orders/#", 1);
        subscriber.disconnect();
        RawMqttClient publisher = persistentClient("writer");

        publisher.send(Packets.publish("orders/1", 1, "first").packetId(7).build());
        publisher.expectNoPacket(QUIET);
        assertThat(store.load("keeper").orElseThrow().outbound()).singleElement()
                .satisfies(m -> assertThat(m.state()).isEqualTo(OutboundState.QUEUED));

        diskCatchesUp();
        publisher.expectAck(Packets.PUBACK, 7);
    }

    @Test
    @DisplayName("acknowledgements held for the store go out in the order of the PUBLISH packets")
    void heldAcknowledgementsKeepTheirOrder() throws Exception {
        start(false);
        RawMqttClient subscriber = persistentClient("keeper");
        subscriber.subscribe("orders/#", 1);
        subscriber.disconnect();
        RawMqttClient publisher = persistentClient("writer");

        for (int id = 1; id <= 5; id++) {
            publisher.send(Packets.publish("orders/" + id, 1, "m" + id).packetId(id).build());
        }
        publisher.expectNoPacket(QUIET);
        diskCatchesUp();
        for (int id = 1; id <= 5; id++) {
            publisher.expectAck(Packets.PUBACK, id);
        }
    }

    @Test
    @DisplayName("a PUBACK comes only after every subscriber's copy, on every event loop, was part of a sync")
    void pubackCoversSubscribersOnOtherLoops() throws Exception {
        start(true);
        int subscribers = 8;
        for (int i = 0; i < subscribers; i++) {
            RawMqttClient s = persistentClient("keeper-" + i);
            s.subscribe("orders/#", 1);
            s.disconnect();
        }
        RawMqttClient publisher = persistentClient("writer");
        for (int n = 1; n <= 200; n++) {
            publisher.publish("orders/" + n, 1, "m" + n);
            assertThat(store.durableAdds.get()).as("copies durable when PUBACK %d arrived", n)
                    .isGreaterThanOrEqualTo((long) n * subscribers);
        }
    }

    @Test
    @DisplayName("QoS 2 to a persistent subscriber: PUBLISH and PUBREL wait for the store, and so does PUBCOMP")
    void qos2FlowsWaitForTheStore() throws Exception {
        start(false);
        RawMqttClient subscriber = persistentClient("keeper");
        subscriber.subscribe("orders/#", 2);
        RawMqttClient publisher = persistentClient("writer");

        publisher.send(Packets.publish("orders/1", 2, "once").packetId(3).build());
        subscriber.expectNoPacket(QUIET);
        publisher.expectNoPacket(Duration.ZERO);
        diskCatchesUp(); // the inbound id, the subscriber's copy and its packet id are on disk
        publisher.expectAck(Packets.PUBREC, 3);
        RawPacket.Publish delivered = subscriber.expectPublish();
        assertThat(delivered.payloadText()).isEqualTo("once");

        subscriber.send(Packets.pubrec(delivered.packetId()));
        subscriber.expectNoPacket(QUIET);
        assertThat(store.load("keeper").orElseThrow().outbound()).singleElement()
                .satisfies(m -> assertThat(m.state()).isEqualTo(OutboundState.RELEASED));
        diskCatchesUp();
        subscriber.expectAck(Packets.PUBREL, delivered.packetId());
        subscriber.send(Packets.pubcomp(delivered.packetId()));

        publisher.send(Packets.pubrel(3));
        publisher.expectNoPacket(QUIET);
        diskCatchesUp(); // the freed inbound id is on disk
        publisher.expectAck(Packets.PUBCOMP, 3);
    }

    @Test
    @DisplayName("a store that fails to sync: no acknowledgement, the publisher's connection is closed")
    void failedSyncClosesUnacknowledged() throws Exception {
        start(false);
        RawMqttClient subscriber = persistentClient("keeper");
        subscriber.subscribe("orders/#", 1);
        subscriber.disconnect();
        RawMqttClient publisher = persistentClient("writer");
        store.broken = true;

        publisher.send(Packets.publish("orders/1", 1, "first").packetId(9).build());
        diskCatchesUp();
        publisher.expectClosed();
    }

    @Test
    @DisplayName("a QoS 2 message: the publisher's packet id and every persistent session's copy reach the store as "
            + "one change, so a crash leaves all or none of them")
    void packetIdAndCopiesAreOneChange() throws Exception {
        start(true);
        for (int i = 0; i < 4; i++) {
            RawMqttClient s = persistentClient("keeper-" + i);
            s.subscribe("orders/#", 2);
            s.disconnect();
        }
        RawMqttClient clean = RawMqttClient.open("clean", broker.port());
        clients.add(clean);
        clean.connect("clean").subscribe("orders/#", 2);
        RawMqttClient publisher = persistentClient("writer");

        publisher.publish("orders/1", 2, "once");

        assertThat(store.routings()).containsExactly("writer#1 -> [keeper-0, keeper-1, keeper-2, keeper-3]");
        assertThat(store.load("writer").orElseThrow().inboundQos2()).as("released by PUBREL").isEmpty();
    }
}
