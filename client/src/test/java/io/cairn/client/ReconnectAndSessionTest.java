package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Brokers;
import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.Received;
import io.cairn.kernel.embedded.EmbeddedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reconnects and persistent sessions against the real broker, which a test kicks clients from or restarts. */
class ReconnectAndSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ReconnectPolicy FAST =
            ReconnectPolicy.exponentialBackoff(Duration.ofMillis(50), Duration.ofMillis(400), 2.0);

    private EmbeddedBroker broker;
    private int port;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = Brokers.start();
        port = Brokers.port(broker);
    }

    @AfterEach
    void stop() {
        clients.forEach(MqttClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    private MqttClient.Builder builder(String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(port).clientId(clientId).reconnectPolicy(FAST);
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("the broker closes the connection: the client reconnects with backoff and its subscriptions work")
    void reconnectAfterBrokerClosesConnection() throws Exception {
        Events events = new Events();
        Received received = new Received();
        MqttClient c = track(builder("kicked").connectionListener(events).build());
        get(c.connect());
        get(c.subscribe("kick/#", Qos.AT_LEAST_ONCE, received));

        assertThat(broker.broker().disconnect("kicked")).isTrue();

        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        assertThat(events.kinds()).containsExactly("connected", "lost", "reconnecting", "connected");
        Events.Event reconnecting = events.of("reconnecting").get(0);
        assertThat(reconnecting.attempt()).isEqualTo(1);
        assertThat(reconnecting.delay()).isBetween(Duration.ofMillis(25), Duration.ofMillis(50));
        assertThat(c.isConnected()).isTrue();

        // the clean session was new: the client subscribed again on its own
        MqttClient publisher = track(builder("kicker").build());
        get(publisher.connect());
        await().atMost(WAIT).untilAsserted(() -> {
            get(publisher.publish("kick/x", "after", Qos.AT_LEAST_ONCE, false));
            assertThat(received.payloads()).contains("after");
        });
    }

    @Test
    @DisplayName("the broker stops and restarts on the same port: backoff grows while it is down, then reconnects")
    void reconnectAfterBrokerRestart() throws Exception {
        Events events = new Events();
        Received received = new Received();
        MqttClient c = track(builder("survivor").connectionListener(events).build());
        get(c.connect());
        get(c.subscribe("restart/#", Qos.AT_LEAST_ONCE, received));

        broker.close();
        broker = null;
        await().atMost(WAIT).until(() -> events.of("reconnecting").size() >= 4);
        assertThat(c.state()).isIn(ClientState.RECONNECTING, ClientState.CONNECTING);
        List<Events.Event> attempts = events.of("reconnecting");
        for (int i = 0; i < 4; i++) {
            Duration nominal = FAST.nominalDelay(i + 1);
            assertThat(attempts.get(i).attempt()).isEqualTo(i + 1);
            assertThat(attempts.get(i).delay()).as("delay of attempt %d", i + 1)
                    .isBetween(nominal.dividedBy(2), nominal);
        }
        assertThat(attempts.get(1).cause()).isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("cannot connect");

        broker = Brokers.start(port, s -> s);

        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        assertThat(c.isConnected()).isTrue();
        MqttClient publisher = track(builder("restarter").build());
        get(publisher.connect());
        await().atMost(WAIT).untilAsserted(() -> {
            get(publisher.publish("restart/x", "back", Qos.AT_LEAST_ONCE, false));
            assertThat(received.payloads()).contains("back");
        });
    }

    @Test
    @DisplayName("publishes made while reconnecting wait in the queue and go out after the reconnect")
    void publishWhileReconnecting() throws Exception {
        Events events = new Events();
        MqttClient c = track(builder("queued").connectionListener(events)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(300), Duration.ofMillis(300), 1))
                .build());
        get(c.connect());
        MqttClient watcher = track(builder("queue-watcher").build());
        get(watcher.connect());
        Received received = new Received();
        get(watcher.subscribe("queued/#", Qos.AT_LEAST_ONCE, received));

        broker.broker().disconnect("queued");
        await().atMost(WAIT).until(() -> !events.of("reconnecting").isEmpty());
        CompletableFuture<PublishResult> during = c.publish("queued/x", "while away", Qos.AT_LEAST_ONCE, false);

        get(during);
        await().atMost(WAIT).until(() -> received.payloads().contains("while away"));
    }

    @Test
    @DisplayName("persistent session: messages published while the client was offline arrive after it reconnects")
    void offlineMessagesArrive() throws Exception {
        Received received = new Received();
        MqttClient c = track(builder("persistent").cleanSession(false).build());
        assertThat(get(c.connect()).sessionPresent()).isFalse();
        get(c.subscribe("offline/#", Qos.EXACTLY_ONCE, received));
        get(c.disconnect());

        MqttClient publisher = track(builder("offline-publisher").build());
        get(publisher.connect());
        for (int i = 0; i < 5; i++) {
            get(publisher.publish("offline/x", "m" + i, i % 2 == 0 ? Qos.AT_LEAST_ONCE : Qos.EXACTLY_ONCE, false));
        }

        ConnectResult again = get(c.connect());

        assertThat(again.sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.count() == 5);
        assertThat(received.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    @DisplayName("persistent session in a new client object: queued messages go to the default listener")
    void defaultListenerOnResume() throws Exception {
        MqttClient first = track(builder("resumer").cleanSession(false).build());
        get(first.connect());
        get(first.subscribe("resume/#", Qos.AT_LEAST_ONCE, m -> { }));
        first.close();

        MqttClient publisher = track(builder("resume-publisher").build());
        get(publisher.connect());
        get(publisher.publish("resume/x", "waiting", Qos.AT_LEAST_ONCE, false));

        Received fallback = new Received();
        MqttClient second = track(builder("resumer").cleanSession(false).defaultListener(fallback).build());
        assertThat(get(second.connect()).sessionPresent()).isTrue();

        await().atMost(WAIT).until(() -> fallback.count() == 1);
        assertThat(fallback.messages().get(0).topic()).isEqualTo("resume/x");
        assertThat(fallback.payloads()).containsExactly("waiting");
    }

    @Test
    @DisplayName("persistent session with automatic reconnect: messages sent during the outage arrive")
    void persistentAcrossAutomaticReconnect() throws Exception {
        Events events = new Events();
        Received received = new Received();
        MqttClient c = track(builder("durable").cleanSession(false).connectionListener(events)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(500), Duration.ofMillis(500), 1))
                .build());
        get(c.connect());
        get(c.subscribe("durable/#", Qos.AT_LEAST_ONCE, received));
        MqttClient publisher = track(builder("durable-publisher").build());
        get(publisher.connect());

        broker.broker().disconnect("durable");
        await().atMost(WAIT).until(() -> !events.of("reconnecting").isEmpty());
        get(publisher.publish("durable/x", "during outage", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        assertThat(events.of("connected").get(1).result().sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.payloads().contains("during outage"));
    }
}
