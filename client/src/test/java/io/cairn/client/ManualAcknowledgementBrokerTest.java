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

/**
 * Manual acknowledgement against the real broker: what the broker re-delivers to a persistent session shows which
 * PUBACKs it got. A broker resumes a session with its unacknowledged messages before new ones, so a "marker"
 * published afterwards arriving alone proves that nothing was left unacknowledged.
 */
class ManualAcknowledgementBrokerTest {

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
        broker.close();
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

    private static ReceivedMessage withPayload(Received received, String payload) {
        return received.messages().stream().filter(m -> m.payloadAsString().equals(payload)).findFirst()
                .orElseThrow();
    }

    /** Resumes {@code clientId}'s session in a fresh client that takes every message, acknowledging it. */
    private Received resume(String clientId) throws Exception {
        Received received = new Received();
        MqttClient again = track(builder(clientId).cleanSession(false).defaultListener(received).build());
        get(again.connect());
        return received;
    }

    @Test
    @DisplayName("the broker re-delivers to the resumed persistent session exactly the QoS 1 messages whose PUBACK "
            + "the application had not released")
    void unacknowledgedMessagesAreRedelivered() throws Exception {
        Received received = new Received();
        MqttClient sub = track(builder("manual-sub").cleanSession(false).manualAcknowledgement(true).build());
        get(sub.connect());
        get(sub.subscribe("work/#", Qos.AT_LEAST_ONCE, received));
        MqttClient pub = track(builder("manual-pub").build());
        get(pub.connect());
        for (String p : List.of("one", "two", "three")) {
            get(pub.publish("work/item", p, Qos.AT_LEAST_ONCE, false));
        }
        await().atMost(WAIT).until(() -> received.count() == 3);

        withPayload(received, "one").acknowledge();
        withPayload(received, "three").acknowledge(); // held back behind "two"
        sub.close();

        Received resumed = resume("manual-sub");
        await().atMost(WAIT).until(() -> resumed.count() == 2);
        assertThat(resumed.payloads()).containsExactly("two", "three");
        assertThat(resumed.messages()).allMatch(ReceivedMessage::dup);
        get(pub.publish("work/item", "marker", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> resumed.payloads().contains("marker"));
        assertThat(resumed.payloads()).containsExactly("two", "three", "marker");
    }

    @Test
    @DisplayName("a message left unacknowledged across a reconnect is not delivered again when the broker re-sends "
            + "it, and acknowledge() afterwards reaches the broker on the new connection")
    void acknowledgementAfterReconnectReachesTheBroker() throws Exception {
        Events events = new Events();
        Received received = new Received();
        MqttClient sub = track(builder("manual-kicked").cleanSession(false).manualAcknowledgement(true)
                .connectionListener(events).build());
        get(sub.connect());
        get(sub.subscribe("job/#", Qos.AT_LEAST_ONCE, received));
        MqttClient pub = track(builder("manual-pub2").build());
        get(pub.connect());
        get(pub.publish("job/x", "pending", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> received.count() == 1);

        assertThat(broker.broker().disconnect("manual-kicked")).isTrue();
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        get(pub.publish("job/x", "after", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> received.payloads().contains("after"));
        assertThat(received.payloads()).as("the broker's re-send of 'pending' comes first and is not delivered")
                .containsExactly("pending", "after");

        received.messages().forEach(ReceivedMessage::acknowledge);
        get(sub.disconnect());
        Received resumed = resume("manual-kicked");
        get(pub.publish("job/x", "marker", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> resumed.payloads().contains("marker"));
        assertThat(resumed.payloads()).containsExactly("marker");
    }
}
