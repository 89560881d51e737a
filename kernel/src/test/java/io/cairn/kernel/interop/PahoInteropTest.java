package io.cairn.kernel.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.ClientInfo;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The broker with Eclipse Paho's Java client (mqttv3 1.2.5), speaking MQTT 3.1.1 and MQTT 3.1. */
class PahoInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    /** A message as a Paho callback received it. */
    record Received(String topic, String payload, int qos, boolean retained) {
    }

    /** A Paho client with a callback that records messages and the connection loss. */
    final class Paho {
        final MqttClient client;
        final List<Received> received = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> lost = new AtomicReference<>();

        Paho(String clientId) throws MqttException {
            client = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
            client.setTimeToWait(WAIT.toMillis());
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.set(cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                            message.getQos(), message.isRetained()));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // publishing tests wait on the blocking publish call
                }
            });
            broker.track(() -> {
                if (client.isConnected()) {
                    client.disconnect(0);               // no quiesce: nothing is in flight at the end of a test
                }
                client.close(true);
            });
        }

        Paho connect(boolean cleanSession) throws MqttException {
            MqttConnectOptions o = options();
            o.setCleanSession(cleanSession);
            client.connect(o);
            return this;
        }

        void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
        }

        List<Received> awaitReceived(int count) {
            await().atMost(WAIT).until(() -> received.size() >= count);
            return List.copyOf(received);
        }
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        return o;
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @Tag("MQTT-7.0.0-2")
    @DisplayName("[MQTT-7.0.0-2] a message published by one Paho client reaches a subscribed Paho client at the same QoS")
    void roundTrip(int qos) throws Exception {
        Paho sub = new Paho("paho-sub").connect(true);
        sub.client.subscribe("interop/paho/qos", 2);
        Paho pub = new Paho("paho-pub").connect(true);

        pub.publish("interop/paho/qos", "qos " + qos, qos, false);

        assertThat(sub.awaitReceived(1)).containsExactly(new Received("interop/paho/qos", "qos " + qos, qos, false));
    }

    @Test
    @DisplayName("Paho speaking MQTT 3.1 (MQIsdp) connects, is listed as protocol level 3 and exchanges QoS 2 "
            + "messages with a 3.1.1 client")
    void mqtt31() throws Exception {
        Paho old = new Paho("paho31");
        MqttConnectOptions o = options();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        old.client.connect(o);
        old.client.subscribe("interop/paho31/in", 2);
        Paho modern = new Paho("paho311").connect(true);
        modern.client.subscribe("interop/paho31/out", 2);

        modern.publish("interop/paho31/in", "to 3.1", 2, false);
        old.publish("interop/paho31/out", "from 3.1", 2, false);

        assertThat(old.awaitReceived(1)).containsExactly(new Received("interop/paho31/in", "to 3.1", 2, false));
        assertThat(modern.awaitReceived(1)).containsExactly(new Received("interop/paho31/out", "from 3.1", 2, false));
        assertThat(broker.broker().clients()).filteredOn(c -> c.clientId().equals("paho31"))
                .singleElement().extracting(ClientInfo::protocolLevel).isEqualTo(3);
    }

    @Test
    @DisplayName("a retained message reaches a later Paho subscriber flagged retained; live copies are not")
    void retained() throws Exception {
        Paho pub = new Paho("paho-ret-pub").connect(true);
        Paho live = new Paho("paho-ret-live").connect(true);
        live.client.subscribe("interop/paho/retained", 1);
        pub.publish("interop/paho/retained", "kept", 1, true);
        assertThat(live.awaitReceived(1)).containsExactly(new Received("interop/paho/retained", "kept", 1, false));

        Paho late = new Paho("paho-ret-late").connect(true);
        late.client.subscribe("interop/paho/#", 2);

        assertThat(late.awaitReceived(1)).containsExactly(new Received("interop/paho/retained", "kept", 1, true));
    }

    @Test
    @DisplayName("the will of a Paho client whose connection the broker cuts is delivered to a Paho subscriber")
    void willWhenTheConnectionIsCut() throws Exception {
        Paho watcher = new Paho("paho-will-watcher").connect(true);
        watcher.client.subscribe("interop/paho/will", 2);
        Paho dying = new Paho("paho-will");
        MqttConnectOptions o = options();
        o.setWill("interop/paho/will", "paho went away".getBytes(StandardCharsets.UTF_8), 1, false);
        dying.client.connect(o);

        assertThat(broker.broker().disconnect("paho-will")).isTrue();

        await().atMost(WAIT).until(() -> dying.lost.get() != null);
        assertThat(watcher.awaitReceived(1)).containsExactly(new Received("interop/paho/will", "paho went away", 1, false));
    }

    @Test
    @DisplayName("the will of a raw client that resets its socket reaches a Paho subscriber")
    void willWhenTheSocketResets() throws Exception {
        Paho watcher = new Paho("paho-will2-watcher").connect(true);
        watcher.client.subscribe("interop/paho/will2", 1);
        RawMqttClient raw = broker.connect(
                Packets.connect("raw-will").will("interop/paho/will2", "reset", 1, true), "raw");

        raw.abort();

        assertThat(watcher.awaitReceived(1)).containsExactly(new Received("interop/paho/will2", "reset", 1, false));
    }

    @Test
    @DisplayName("a Paho persistent session gets the QoS 1 and 2 messages published while it was away")
    void persistentSession() throws Exception {
        Paho sub = new Paho("paho-persistent").connect(false);
        sub.client.subscribe("interop/paho/persistent", 2);
        sub.client.disconnect();

        Paho pub = new Paho("paho-persistent-pub").connect(true);
        pub.publish("interop/paho/persistent", "while away 1", 1, false);
        pub.publish("interop/paho/persistent", "while away 2", 2, false);

        MqttConnectOptions o = options();
        o.setCleanSession(false);
        IMqttToken token = sub.client.connectWithResult(o);
        assertThat(token.getSessionPresent()).isTrue();
        assertThat(sub.awaitReceived(2)).containsExactly(
                new Received("interop/paho/persistent", "while away 1", 1, false),
                new Received("interop/paho/persistent", "while away 2", 2, false));
    }

    @Test
    @DisplayName("a second Paho client with the same identifier takes over: the first loses its connection")
    void takeover() throws Exception {
        Paho first = new Paho("paho-same").connect(true);
        Paho second = new Paho("paho-same").connect(true);

        await().atMost(WAIT).until(() -> first.lost.get() != null);
        assertThat(first.client.isConnected()).isFalse();
        second.client.subscribe("interop/paho/takeover", 1);
        second.publish("interop/paho/takeover", "second works", 1, false);
        assertThat(second.awaitReceived(1)).extracting(Received::payload).containsExactly("second works");
    }

    @Test
    @DisplayName("Paho subscriptions with '+' and '#' receive the matching topics only")
    void wildcards() throws Exception {
        Paho sub = new Paho("paho-wild").connect(true);
        sub.client.subscribe(new String[] {"interop/w/+/temp", "interop/h/#"}, new int[] {1, 1});
        Paho pub = new Paho("paho-wild-pub").connect(true);

        pub.publish("interop/w/kitchen/temp", "21", 1, false);
        pub.publish("interop/w/kitchen/humidity", "no", 1, false);
        pub.publish("interop/h", "parent level", 1, false);
        pub.publish("interop/h/a/b", "deep", 1, false);
        pub.publish("interop/w/done/temp", "last", 1, false);

        assertThat(sub.awaitReceived(4)).extracting(Received::payload)
                .containsExactly("21", "parent level", "deep", "last");
    }

    @Test
    @DisplayName("'$' topics reach a Paho subscriber of '$interop/#' but not one of '#'")
    void dollarTopics() throws Exception {
        Paho all = new Paho("paho-all").connect(true);
        all.client.subscribe("#", 1);
        Paho dollar = new Paho("paho-dollar").connect(true);
        dollar.client.subscribe("$interop/#", 1);
        Paho pub = new Paho("paho-dollar-pub").connect(true);

        pub.publish("$interop/status", "dollar", 1, false);
        pub.publish("interop/status", "plain", 1, false);

        assertThat(dollar.awaitReceived(1)).extracting(Received::payload).containsExactly("dollar");
        assertThat(all.awaitReceived(1)).extracting(Received::payload).containsExactly("plain");
    }
}
