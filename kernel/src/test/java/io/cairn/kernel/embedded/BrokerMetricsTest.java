package io.cairn.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.BrokerMetrics;
import io.cairn.api.broker.DropReason;
import io.cairn.api.broker.ListenerMetrics;
import io.cairn.api.broker.MessageCounts;
import io.cairn.api.message.ReasonCode;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Broker#metrics()}: messages by QoS, bytes, connections and refusals per listener, drops by reason and
 * queue depths, checked against traffic of real clients (Eclipse Paho for MQTT 3.1.1, HiveMQ for MQTT 5).
 */
class BrokerMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EmbeddedBroker broker;
    private String uri;
    private int port;
    private final List<MqttClient> pahos = new ArrayList<>();
    private final List<Mqtt5BlockingClient> hives = new ArrayList<>();

    /**
     * Starts a broker with one TCP listener "main" whose authenticator refuses user {@code mallory} (bad
     * credentials) and {@code eve} (not authorized) and lets everybody else in.
     */
    private void start(BrokerSettings settings) throws Exception {
        broker = EmbeddedBroker.builder().settings(settings)
                .transport(new TcpTransport("main", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(false)))
                .authenticator("gate", request -> {
                    if ("mallory".equals(request.username())) {
                        return Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password");
                    }
                    if ("eve".equals(request.username())) {
                        return Authentication.reject(ReasonCode.NOT_AUTHORIZED, "banned from here");
                    }
                    return Authentication.accept();
                })
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        port = broker.listeners().get(0).port();
        uri = "tcp://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : pahos) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
        for (Mqtt5BlockingClient c : hives) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private MqttClient paho(String id, boolean cleanSession) throws MqttException {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        pahos.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        c.connect(o);
        return c;
    }

    private Mqtt5BlockingClient hive(String id) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
        hives.add(c);
        return c;
    }

    private ListenerMetrics main() {
        return broker.broker().metrics().listeners().stream().filter(l -> l.name().equals("main")).findFirst()
                .orElseThrow();
    }

    @Test
    @DisplayName("messages received and sent are counted by QoS and listener, with bytes and connections")
    void messagesByQos() throws Exception {
        start(BrokerSettings.builder().build());
        AtomicInteger got = new AtomicInteger();
        for (String id : List.of("sub-a", "sub-b")) {
            paho(id, true).subscribe("m/#", 2, (topic, message) -> got.incrementAndGet());
        }
        MqttClient pub = paho("pub", true);
        byte[] payload = new byte[100];
        for (int qos = 0; qos <= 2; qos++) {
            for (int i = 0; i < 3 + qos; i++) { // 3 QoS 0, 4 QoS 1, 5 QoS 2
                pub.publish("m/" + qos, payload, qos, false);
            }
        }
        await().atMost(WAIT).until(() -> got.get() == 2 * 12);
        // the last QoS 2 deliveries complete with PUBCOMP: wait until nothing is in flight any more
        await().atMost(WAIT).until(() -> broker.broker().metrics().inflightMessages() == 0);

        BrokerMetrics m = broker.broker().metrics();
        ListenerMetrics main = main();
        assertThat(main.received()).isEqualTo(new MessageCounts(3, 4, 5));
        assertThat(main.sent()).isEqualTo(new MessageCounts(6, 8, 10));
        assertThat(m.received()).isEqualTo(new MessageCounts(3, 4, 5));
        assertThat(main.open()).isTrue();
        assertThat(main.connectionsAccepted()).isEqualTo(3);
        assertThat(main.connectionsOpen()).isEqualTo(3);
        assertThat(main.clientsConnected()).isEqualTo(3);
        assertThat(main.refused()).isEmpty();
        // 12 PUBLISH packets of 100 payload bytes came in, 24 went out
        assertThat(main.bytesReceived()).isGreaterThan(12 * 100);
        assertThat(main.bytesSent()).isGreaterThan(24 * 100);
        // the old statistics are the same counters
        assertThat(m.statistics().messagesReceived()).isEqualTo(12);
        assertThat(m.statistics().messagesSent()).isEqualTo(24);
        assertThat(m.statistics().bytesReceived()).isEqualTo(main.bytesReceived());
        assertThat(m.statistics().bytesSent()).isEqualTo(main.bytesSent());
        assertThat(m.statistics().connectionsTotal()).isEqualTo(3);
        assertThat(m.dropped()).containsOnlyKeys(DropReason.values()).allSatisfy((r, n) -> assertThat(n).isZero());

        pub.disconnect();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(main().connectionsOpen()).isEqualTo(2);
            assertThat(main().clientsConnected()).isEqualTo(2);
        });
        assertThat(main().connectionsAccepted()).isEqualTo(3);
    }

    @Test
    @DisplayName("refused CONNECTs are counted by reason; authentication's refusals also as auth failures")
    void refusals() throws Exception {
        start(BrokerSettings.builder().maxConnections(1).build());
        MqttClient mallory = new MqttClient(uri, "mallory-client", new MemoryPersistence());
        pahos.add(mallory);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("mallory");
        o.setPassword("guess".toCharArray());
        // Paho's default would try MQTT 3.1 after a refused 3.1.1 CONNECT: two refusals
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        assertThatThrownBy(() -> mallory.connect(o)).isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        Mqtt5BlockingClient eve = hive("eve-client");
        assertThatThrownBy(() -> eve.connectWith().simpleAuth().username("eve").password(new byte[] {1})
                .applySimpleAuth().send()).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        paho("first", true);
        Mqtt5BlockingClient second = hive("second");
        assertThatThrownBy(() -> second.connect()).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_BUSY));

        ListenerMetrics main = main();
        assertThat(main.refused()).isEqualTo(Map.of(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 1L,
                ReasonCode.NOT_AUTHORIZED, 1L, ReasonCode.SERVER_BUSY, 1L));
        assertThat(main.authFailures()).isEqualTo(Map.of(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 1L,
                ReasonCode.NOT_AUTHORIZED, 1L));
        assertThat(broker.broker().metrics().refused()).isEqualTo(main.refused());
        assertThat(broker.broker().metrics().authFailures()).isEqualTo(main.authFailures());
        assertThat(main.connectionsAccepted()).isEqualTo(4);
        await().atMost(WAIT).until(() -> main().connectionsOpen() == 1);
        assertThat(main().clientsConnected()).isEqualTo(1);
    }

    @Test
    @DisplayName("a full queue drops, QoS 0 is not kept offline, queue depths follow the sessions")
    void queueFullAndOffline() throws Exception {
        start(BrokerSettings.builder().maxQueuedMessages(5).build());
        MqttClient sub = paho("slow", false);
        sub.subscribe("q/#", 1);
        sub.disconnect();
        await().atMost(WAIT).until(() -> broker.broker().metrics().statistics().connectedClients() == 0);
        MqttClient pub = paho("pub", true);
        for (int i = 0; i < 8; i++) {
            pub.publish("q/1", new byte[] {(byte) i}, 1, false);
        }
        pub.publish("q/0", new byte[] {0}, 0, false);
        pub.publish("q/0", new byte[] {0}, 0, false);
        await().atMost(WAIT).until(() -> broker.broker().metrics().dropped().get(DropReason.OFFLINE_QOS0) == 2);

        BrokerMetrics m = broker.broker().metrics();
        assertThat(m.dropped()).containsEntry(DropReason.QUEUE_FULL, 3L).containsEntry(DropReason.TOO_LARGE, 0L)
                .containsEntry(DropReason.EXPIRED, 0L);
        assertThat(m.statistics().messagesDropped()).isEqualTo(3);
        assertThat(m.queuedMessages()).isEqualTo(5);
        assertThat(m.maxQueuedMessages()).isEqualTo(5);
        assertThat(m.inflightMessages()).isZero();

        AtomicInteger got = new AtomicInteger();
        MqttClient back = new MqttClient(uri, "slow", new MemoryPersistence());
        pahos.add(back);
        back.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.incrementAndGet();
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        back.connect(o);
        await().atMost(WAIT).until(() -> got.get() == 5);
        await().atMost(WAIT).untilAsserted(() -> {
            BrokerMetrics after = broker.broker().metrics();
            assertThat(after.queuedMessages()).isZero();
            assertThat(after.inflightMessages()).isZero();
            assertThat(after.sent().qos1()).isEqualTo(5);
        });
    }

    @Test
    @DisplayName("MQTT 5: too large for the client's Maximum Packet Size, and expired while queued, are drops")
    void tooLargeAndExpired() throws Exception {
        start(BrokerSettings.builder().build());
        Mqtt5BlockingClient small = hive("small");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = small.publishes(MqttGlobalPublishFilter.ALL)) {
            small.connectWith().restrictions().maximumPacketSize(200).applyRestrictions().send();
            small.subscribeWith().topicFilter("big/#").qos(MqttQos.AT_MOST_ONCE).send();
            Mqtt5BlockingClient pub = hive("pub5");
            pub.connect();
            pub.publishWith().topic("big/1").payload(new byte[1000]).send();
            pub.publishWith().topic("big/2").payload(new byte[10]).send();
            assertThat(received.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS)).get()
                    .satisfies(p -> assertThat(p.getTopic().toString()).isEqualTo("big/2"));
            assertThat(broker.broker().metrics().dropped()).containsEntry(DropReason.TOO_LARGE, 1L);

            Mqtt5BlockingClient away = hive("away");
            away.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
            away.subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send();
            away.disconnect();
            await().atMost(WAIT).until(() -> broker.broker().metrics().statistics().connectedClients() == 2);
            long sentAt = System.currentTimeMillis();
            pub.publishWith().topic("exp/1").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1).send();
            pub.publishWith().topic("exp/2").qos(MqttQos.AT_LEAST_ONCE).send();
            // the PUBACKs come from the publisher's loop; the away session queues on its own loop
            await().atMost(WAIT).until(() -> broker.broker().metrics().queuedMessages() == 2);
            // the interval is one second: the broker's clock must pass it before the session drains
            await().atMost(WAIT).until(() -> System.currentTimeMillis() - sentAt > 1_100);
            try (Mqtt5BlockingClient.Mqtt5Publishes late = away.publishes(MqttGlobalPublishFilter.ALL)) {
                away.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
                assertThat(late.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS)).get()
                        .satisfies(p -> assertThat(p.getTopic().toString()).isEqualTo("exp/2"));
            }
            BrokerMetrics m = broker.broker().metrics();
            assertThat(m.dropped()).containsEntry(DropReason.EXPIRED, 1L).containsEntry(DropReason.TOO_LARGE, 1L)
                    .containsEntry(DropReason.QUEUE_FULL, 0L);
            assertThat(m.statistics().messagesDropped()).isEqualTo(1); // expired messages are not in it
        }
    }
}
