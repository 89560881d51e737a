package io.cairn.kernel.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The broker with the HiveMQ MQTT Client (1.3.10), MQTT 3 blocking and async APIs. */
class HiveMqClientInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    /** A message as the HiveMQ client delivered it. */
    record Received(String topic, String payload, MqttQos qos, boolean retained) {
        static Received of(Mqtt3Publish p) {
            return new Received(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8),
                    p.getQos(), p.isRetain());
        }
    }

    /** A HiveMQ client whose every incoming PUBLISH is recorded, sessions included. */
    final class Hive {
        final Mqtt3BlockingClient blocking;
        final Mqtt3AsyncClient async;
        final List<Received> received = new CopyOnWriteArrayList<>();

        Hive(String clientId) {
            blocking = Mqtt3Client.builder()
                    .identifier(clientId)
                    .serverHost("127.0.0.1")
                    .serverPort(broker.port())
                    .buildBlocking();
            async = blocking.toAsync();
            async.publishes(MqttGlobalPublishFilter.ALL, p -> received.add(Received.of(p)));
            broker.track(() -> {
                if (blocking.getState().isConnected()) {
                    async.disconnect().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        }

        Mqtt3ConnAck connect(boolean cleanSession) {
            return blocking.connectWith().cleanSession(cleanSession).keepAlive(30).send();
        }

        void subscribe(String filter, MqttQos qos) {
            Mqtt3SubAck ack = blocking.subscribeWith().topicFilter(filter).qos(qos).send();
            assertThat(ack.getReturnCodes()).hasSize(1).doesNotContain(Mqtt3SubAckReturnCode.FAILURE);
        }

        void publish(String topic, String payload, MqttQos qos, boolean retain) {
            blocking.publishWith().topic(topic).qos(qos).retain(retain)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        }

        List<Received> awaitReceived(int count) {
            await().atMost(WAIT).until(() -> received.size() >= count);
            return List.copyOf(received);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttQos.class)
    @Tag("MQTT-7.0.0-2")
    @DisplayName("[MQTT-7.0.0-2] a message published with the blocking API reaches an async subscriber at the same QoS")
    void roundTrip(MqttQos qos) {
        Hive sub = new Hive("hive-sub");
        sub.connect(true);
        sub.subscribe("interop/hive/qos", MqttQos.EXACTLY_ONCE);
        Hive pub = new Hive("hive-pub");
        pub.connect(true);

        pub.publish("interop/hive/qos", "qos " + qos.getCode(), qos, false);

        assertThat(sub.awaitReceived(1)).containsExactly(new Received("interop/hive/qos", "qos " + qos.getCode(), qos, false));
    }

    @Test
    @DisplayName("the async API publishes 200 QoS 1 messages without waiting for each; all arrive, in order")
    void asyncBurst() {
        Hive sub = new Hive("hive-burst-sub");
        sub.connect(true);
        sub.subscribe("interop/hive/burst", MqttQos.AT_LEAST_ONCE);
        Hive pub = new Hive("hive-burst-pub");
        pub.connect(true);

        var sends = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Mqtt3Publish>>();
        for (int i = 0; i < 200; i++) {
            sends.add(pub.async.publishWith().topic("interop/hive/burst").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send());
        }
        await().atMost(WAIT).until(() -> sends.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));

        List<Received> got = sub.awaitReceived(200);
        assertThat(got).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(got.get(i).payload()).isEqualTo("m" + i);
        }
    }

    @Test
    @DisplayName("a retained message reaches a later subscriber flagged retained, and an empty retained message "
            + "clears it")
    void retained() {
        Hive pub = new Hive("hive-ret-pub");
        pub.connect(true);
        pub.publish("interop/hive/retained", "kept", MqttQos.AT_LEAST_ONCE, true);

        Hive late = new Hive("hive-ret-late");
        late.connect(true);
        late.subscribe("interop/hive/+", MqttQos.EXACTLY_ONCE);
        assertThat(late.awaitReceived(1)).containsExactly(
                new Received("interop/hive/retained", "kept", MqttQos.AT_LEAST_ONCE, true));

        pub.publish("interop/hive/retained", "", MqttQos.AT_LEAST_ONCE, true);
        assertThat(late.awaitReceived(2).get(1).payload()).as("the clearing message is forwarded").isEmpty();
        Hive later = new Hive("hive-ret-later");
        later.connect(true);
        later.subscribe("interop/hive/+", MqttQos.EXACTLY_ONCE);
        pub.publish("interop/hive/marker", "marker", MqttQos.AT_LEAST_ONCE, false);
        assertThat(later.awaitReceived(1)).extracting(Received::payload).containsExactly("marker");
    }

    @Test
    @DisplayName("the retained will of a HiveMQ client cut off by the broker is delivered, and kept for later "
            + "subscribers")
    void willWhenTheConnectionIsCut() {
        Hive watcher = new Hive("hive-will-watcher");
        watcher.connect(true);
        watcher.subscribe("interop/hive/will", MqttQos.EXACTLY_ONCE);
        Mqtt3BlockingClient dying = Mqtt3Client.builder().identifier("hive-will").serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        broker.track(() -> {
            if (dying.getState().isConnected()) {
                dying.disconnect();
            }
        });
        dying.connectWith().willPublish().topic("interop/hive/will").qos(MqttQos.EXACTLY_ONCE).retain(true)
                .payload("hive went away".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send();

        assertThat(broker.broker().disconnect("hive-will")).isTrue();

        await().atMost(WAIT).until(() -> !dying.getState().isConnected());
        assertThat(watcher.awaitReceived(1)).containsExactly(
                new Received("interop/hive/will", "hive went away", MqttQos.EXACTLY_ONCE, false));
        Hive late = new Hive("hive-will-late");
        late.connect(true);
        late.subscribe("interop/hive/will", MqttQos.AT_LEAST_ONCE);
        assertThat(late.awaitReceived(1)).containsExactly(
                new Received("interop/hive/will", "hive went away", MqttQos.AT_LEAST_ONCE, true));
    }

    @Test
    @DisplayName("the will of a raw client that resets its socket reaches a HiveMQ subscriber")
    void willWhenTheSocketResets() {
        Hive watcher = new Hive("hive-will2-watcher");
        watcher.connect(true);
        watcher.subscribe("interop/hive/will2", MqttQos.AT_LEAST_ONCE);
        RawMqttClient raw = broker.connect(Packets.connect("raw-will").will("interop/hive/will2", "reset", 1, false),
                "raw");

        raw.abort();

        assertThat(watcher.awaitReceived(1)).containsExactly(
                new Received("interop/hive/will2", "reset", MqttQos.AT_LEAST_ONCE, false));
    }

    @Test
    @DisplayName("a HiveMQ persistent session resumes with session present and gets what was published while away")
    void persistentSession() {
        Hive sub = new Hive("hive-persistent");
        assertThat(sub.connect(false).isSessionPresent()).isFalse();
        sub.subscribe("interop/hive/persistent", MqttQos.EXACTLY_ONCE);
        sub.blocking.disconnect();

        Hive pub = new Hive("hive-persistent-pub");
        pub.connect(true);
        pub.publish("interop/hive/persistent", "away 1", MqttQos.AT_LEAST_ONCE, false);
        pub.publish("interop/hive/persistent", "away 2", MqttQos.EXACTLY_ONCE, false);

        assertThat(sub.connect(false).isSessionPresent()).isTrue();
        assertThat(sub.awaitReceived(2)).containsExactly(
                new Received("interop/hive/persistent", "away 1", MqttQos.AT_LEAST_ONCE, false),
                new Received("interop/hive/persistent", "away 2", MqttQos.EXACTLY_ONCE, false));
    }

    @Test
    @DisplayName("a second HiveMQ client with the same identifier takes over: the first is disconnected")
    void takeover() {
        Hive first = new Hive("hive-same");
        first.connect(true);
        Hive second = new Hive("hive-same");
        second.connect(true);

        await().atMost(WAIT).until(() -> !first.blocking.getState().isConnected());
        second.subscribe("interop/hive/takeover", MqttQos.AT_LEAST_ONCE);
        second.publish("interop/hive/takeover", "second works", MqttQos.AT_LEAST_ONCE, false);
        assertThat(second.awaitReceived(1)).extracting(Received::payload).containsExactly("second works");
    }

    @Test
    @DisplayName("HiveMQ subscriptions with '+' and '#' receive the matching topics only, '$' topics only when "
            + "named")
    void wildcardsAndDollarTopics() {
        Hive wild = new Hive("hive-wild");
        wild.connect(true);
        wild.subscribe("interop/+/temp", MqttQos.AT_LEAST_ONCE);
        wild.subscribe("#", MqttQos.AT_LEAST_ONCE);
        Hive dollar = new Hive("hive-dollar");
        dollar.connect(true);
        dollar.subscribe("$interop/+", MqttQos.AT_LEAST_ONCE);
        Hive pub = new Hive("hive-wild-pub");
        pub.connect(true);

        pub.publish("$interop/status", "dollar", MqttQos.AT_LEAST_ONCE, false);
        pub.publish("interop/kitchen/temp", "21", MqttQos.AT_LEAST_ONCE, false);

        assertThat(dollar.awaitReceived(1)).extracting(Received::payload).containsExactly("dollar");
        // one message, once, though both '+/temp' and '#' match it; nothing from the '$' topic
        await().atMost(WAIT).until(() -> !wild.received.isEmpty());
        pub.publish("interop/marker", "marker", MqttQos.AT_LEAST_ONCE, false);
        assertThat(wild.awaitReceived(2)).extracting(Received::payload).containsExactly("21", "marker");
    }
}
