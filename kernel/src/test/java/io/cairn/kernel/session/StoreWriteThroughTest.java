package io.cairn.kernel.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A persistent session and the retained messages are written through to the stores, and a new kernel given the
 * same stores (as after a restart of the kernel bundle) resumes them: nothing queued is lost.
 */
class StoreWriteThroughTest {

    private final MemorySessionStore sessions = new MemorySessionStore();
    private final MemoryRetainedStore retained = new MemoryRetainedStore();

    private EmbeddedBroker start() throws Exception {
        return EmbeddedBroker.builder().transport(new TcpTransport("test", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(sessions).retainedStore(retained).start();
    }

    private static String uri(EmbeddedBroker b) {
        return "tcp://127.0.0.1:" + b.listeners().get(0).port();
    }

    private static MqttConnectOptions persistent() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        return o;
    }

    @Test
    void aNewKernelResumesSessionsAndRetainedMessagesFromTheStores() throws Exception {
        try (EmbeddedBroker first = start()) {
            MqttClient subscriber = new MqttClient(uri(first), "keeper", new MemoryPersistence());
            subscriber.connect(persistent());
            subscriber.subscribe("orders/#", 1);
            subscriber.disconnect();
            subscriber.close();

            MqttClient publisher = new MqttClient(uri(first), "writer", new MemoryPersistence());
            publisher.connect();
            publisher.publish("orders/1", "first".getBytes(StandardCharsets.UTF_8), 1, false);
            publisher.publish("status/line", "up".getBytes(StandardCharsets.UTF_8), 1, true);
            publisher.disconnect();
            publisher.close();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                SessionState stored = sessions.load("keeper").orElseThrow();
                assertThat(stored.subscriptions()).extracting(s -> s.topicFilter()).containsExactly("orders/#");
                assertThat(stored.outbound()).singleElement().satisfies(m -> {
                    assertThat(m.state()).isEqualTo(OutboundState.QUEUED);
                    assertThat(m.message().topic()).isEqualTo("orders/1");
                });
                assertThat(stored.disconnectedAt()).isPositive();
            });
            assertThat(retained.get("status/line")).isPresent();
            assertThat(sessions.load("writer")).as("clean sessions are not stored").isEmpty();
        }

        try (EmbeddedBroker second = start()) {
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient subscriber = new MqttClient(uri(second), "keeper", new MemoryPersistence());
            subscriber.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override public void connectionLost(Throwable cause) { }
                @Override public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    received.add(topic + '=' + new String(m.getPayload(), StandardCharsets.UTF_8));
                }
                @Override public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t) { }
            });
            assertThat(subscriber.connectWithResult(persistent()).getSessionPresent()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("orders/1=first"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(sessions.load("keeper").orElseThrow().outbound()).isEmpty());

            List<String> status = new CopyOnWriteArrayList<>();
            MqttClient late = new MqttClient(uri(second), "late", new MemoryPersistence());
            late.connect();
            late.subscribe("status/#", 0, (t, m) -> status.add(t + (m.isRetained() ? " retained" : "")));
            await().atMost(Duration.ofSeconds(5)).until(() -> status.contains("status/line retained"));
            subscriber.disconnect();
            late.disconnect();
            subscriber.close();
            late.close();
        }
    }

    @Test
    void aStoreInstalledWhileTheBrokerRunsReceivesEverySessionAndTheNextOneToo() throws Exception {
        io.cairn.kernel.Kernel kernel = io.cairn.kernel.Kernel.start(io.cairn.kernel.embedded.BrokerSettings.defaults());
        TcpTransport tcp = new TcpTransport("test", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true));
        try {
            tcp.start(kernel.transportContext());
            String uri = "tcp://127.0.0.1:" + kernel.broker().listeners().get(0).port();
            MqttClient subscriber = new MqttClient(uri, "early", new MemoryPersistence());
            subscriber.connect(persistent());
            subscriber.subscribe("jobs/+", 2);
            subscriber.disconnect();
            subscriber.close();
            kernel.broker().publish(io.cairn.api.message.Message.of("jobs/7", "run".getBytes(StandardCharsets.UTF_8),
                    io.cairn.api.message.QoS.EXACTLY_ONCE, false));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    kernel.broker().session("early").orElseThrow().queued() == 1);

            kernel.useSessionStore(sessions);
            SessionState copied = sessions.load("early").orElseThrow();
            assertThat(copied.subscriptions()).extracting(s -> s.topicFilter()).containsExactly("jobs/+");
            assertThat(copied.outbound()).extracting(m -> m.message().topic()).containsExactly("jobs/7");

            MemorySessionStore next = new MemorySessionStore();
            kernel.dropSessionStore(sessions);
            kernel.useSessionStore(next);
            assertThat(next.load("early")).get().isEqualTo(copied);
        } finally {
            tcp.stop();
            kernel.close();
        }
    }

    @Test
    void aSwitchUnderTrafficMovesEveryQueuedMessageAndDropsWhatTheNewStoreHeldFromEarlier() throws Exception {
        MemorySessionStore next = new MemorySessionStore();
        MemoryRetainedStore nextRetained = new MemoryRetainedStore();
        next.save(SessionState.empty("ghost", SessionState.NEVER_EXPIRES)); // left from an earlier time
        nextRetained.put(io.cairn.api.message.Message.of("old/news", new byte[] {1},
                io.cairn.api.message.QoS.AT_MOST_ONCE, true));
        int messages = 600;
        try (EmbeddedBroker broker = start()) {
            MqttClient subscriber = new MqttClient(uri(broker), "keeper", new MemoryPersistence());
            subscriber.connect(persistent());
            subscriber.subscribe("orders/#", 1);
            subscriber.disconnect();
            subscriber.close();

            MqttClient publisher = new MqttClient(uri(broker), "writer", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            // Paho frees an in-flight slot on its callback thread, a little after publish() returns
            options.setMaxInflight(messages + 1);
            publisher.connect(options);
            publisher.publish("status/line", "up".getBytes(StandardCharsets.UTF_8), 1, true);
            for (int i = 0; i < messages; i++) {
                if (i == messages / 2) {
                    broker.switchStores(next, nextRetained); // clients stay connected; traffic goes on
                }
                publisher.publish("orders/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            publisher.disconnect();
            publisher.close();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(next.load("keeper").orElseThrow().outbound()).hasSize(messages));
            assertThat(next.load("ghost")).as("a session the broker does not have is not resurrected").isEmpty();
            assertThat(nextRetained.get("old/news")).isEmpty();
            assertThat(nextRetained.get("status/line")).isPresent();
        }

        try (EmbeddedBroker restarted = EmbeddedBroker.builder().transport(new TcpTransport("test", "127.0.0.1", 0,
                        TcpTransport.DEFAULT_BACKLOG, ListenerSecurity.allProviders(true)))
                .sessionStore(next).retainedStore(nextRetained).start()) {
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient subscriber = new MqttClient(uri(restarted), "keeper", new MemoryPersistence());
            subscriber.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override public void connectionLost(Throwable cause) { }
                @Override public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    received.add(topic);
                }
                @Override public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t) { }
            });
            assertThat(subscriber.connectWithResult(persistent()).getSessionPresent()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= messages);
            assertThat(received).doesNotHaveDuplicates().hasSize(messages);
            subscriber.disconnect();
            subscriber.close();
        }
    }
}
