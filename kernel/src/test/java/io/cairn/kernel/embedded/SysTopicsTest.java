package io.cairn.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The $SYS/broker/ tree: the broker's figures as Mosquitto users know them, read-only for clients. */
class SysTopicsTest {

    private EmbeddedBroker broker;
    private String uri;
    private final MemoryRetainedStore retained = new MemoryRetainedStore();

    @BeforeEach
    void start() throws Exception {
        // a store written by a version that kept the $SYS tree in it
        retained.put(Message.of("$SYS/broker/uptime", "99 seconds".getBytes(StandardCharsets.UTF_8),
                QoS.AT_MOST_ONCE, true));
        broker = EmbeddedBroker.builder().settings(BrokerSettings.builder().sysIntervalSeconds(1).build())
                .transport(new TcpTransport("test", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore()).retainedStore(retained).start();
        uri = "tcp://127.0.0.1:" + broker.listeners().get(0).port();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private MqttClient paho(String id) throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    @Test
    @DisplayName("$SYS/broker/ values follow known traffic; clients cannot publish there")
    void valuesAfterKnownTraffic() throws Exception {
        Map<String, String> sys = new ConcurrentHashMap<>();
        MqttClient watcher = paho("watcher");
        watcher.subscribe("$SYS/#", 0, (topic, m) -> sys.put(topic, new String(m.getPayload(),
                StandardCharsets.UTF_8)));
        MqttClient pub = paho("pub");
        MqttClient sub = paho("sub");
        try {
            sub.subscribe("t/#", 1);
            for (int i = 0; i < 10; i++) {
                pub.publish("t/" + i, new byte[] {1}, 1, false);
            }
            pub.publish("t/retained", new byte[] {2}, 1, true);
            // a client's publish to $SYS is taken (MQTT 3.1.1 cannot be told) but goes nowhere
            pub.publish("$SYS/broker/version", "forged".getBytes(StandardCharsets.UTF_8), 1, true);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(sys.get("$SYS/broker/clients/connected")).isEqualTo("3");
                // each network connection counted once
                assertThat(sys.get("$SYS/broker/clients/connections/total")).isEqualTo("3");
                assertThat(sys.get("$SYS/broker/messages/received")).isEqualTo("11");
                assertThat(sys.get("$SYS/broker/subscriptions/count")).isEqualTo("2");
                assertThat(Long.parseLong(sys.get("$SYS/broker/bytes/received"))).isPositive();
            });
            assertThat(sys.get("$SYS/broker/version")).startsWith("cairn version ");
            assertThat(sys.get("$SYS/broker/uptime")).endsWith(" seconds");
            assertThat(sys).containsKeys("$SYS/broker/load/messages/received/1min",
                    "$SYS/broker/load/messages/received/15min", "$SYS/broker/retained messages/count");
            await().atMost(Duration.ofSeconds(10)).until(() -> Double.parseDouble(
                    sys.get("$SYS/broker/load/messages/received/1min")) > 0);
            // retained: a late subscriber gets the tree, never the forged value
            Map<String, String> late = new ConcurrentHashMap<>();
            MqttClient lateClient = paho("late");
            try {
                lateClient.subscribe("$SYS/broker/version", 0, (topic, m) -> late.put(topic,
                        new String(m.getPayload(), StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(10)).until(() -> late.containsKey("$SYS/broker/version"));
                assertThat(late.get("$SYS/broker/version")).startsWith("cairn version ");
            } finally {
                lateClient.disconnect();
                lateClient.close();
            }
            assertThat(sys.values()).doesNotContain("forged");
            // the tree is the broker's live state: it is not written to the retained store (and what an older
            // version wrote there is dropped, never shown)
            List<String> stored = new ArrayList<>();
            retained.forEach(m -> stored.add(m.topic()));
            assertThat(stored).containsExactly("t/retained");
            assertThat(sys.get("$SYS/broker/uptime")).isNotEqualTo("99 seconds");

            // each bridge's status has a branch of its own
            broker.bridgeContext().register(new io.cairn.api.bridge.Bridge() {
                @Override
                public String name() {
                    return "cloud";
                }

                @Override
                public io.cairn.api.bridge.BridgeActivity activity() {
                    return new io.cairn.api.bridge.BridgeActivity("mqtt://up:1883 (MQTT 5)", true, 12, 3, null, null);
                }
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(sys.get("$SYS/broker/bridges/cloud/connected")).isEqualTo("1");
                assertThat(sys.get("$SYS/broker/bridges/cloud/sent")).isEqualTo("12");
                assertThat(sys.get("$SYS/broker/bridges/cloud/received")).isEqualTo("3");
                assertThat(sys.get("$SYS/broker/bridges/cloud/remote")).isEqualTo("mqtt://up:1883 (MQTT 5)");
            });
        } finally {
            for (MqttClient c : new MqttClient[] {watcher, pub, sub}) {
                c.disconnect();
                c.close();
            }
        }
    }
}
