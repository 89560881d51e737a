package io.cairn.example.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin in an embedded broker, as a third party tests theirs: a real client publishes, another subscribes. */
class TopicRewriterTest {

    private EmbeddedBroker broker;
    private MqttClient publisher;
    private MqttClient subscriber;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.builder().settings(BrokerSettings.builder().build())
                .transport(new TcpTransport("default", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        String uri = "tcp://127.0.0.1:" + broker.listeners().get(0).port();
        publisher = new MqttClient(uri, "legacy-device", new MemoryPersistence());
        subscriber = new MqttClient(uri, "dashboard", new MemoryPersistence());
        publisher.connect(new MqttConnectOptions());
        subscriber.connect(new MqttConnectOptions());
    }

    @AfterEach
    void stop() throws Exception {
        publisher.disconnect();
        subscriber.disconnect();
        publisher.close();
        subscriber.close();
        broker.close();
    }

    @Test
    void messagesOfTheOldSchemeArriveUnderTheNewOneWithTheirPayloadQosAndRetainFlag() throws Exception {
        broker.addInterceptor("rewrite", 0, new TopicRewriter(RewriteRule.of("sensors/+/temp",
                "plant/{1}/temperature")), Map.of());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        subscriber.subscribe("#", 2, (topic, m) -> seen.add(topic + " " + new String(m.getPayload(),
                StandardCharsets.UTF_8) + " qos" + m.getQos()));

        publisher.publish("sensors/boiler-7/temp", "21.5".getBytes(StandardCharsets.UTF_8), 2, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("plant/boiler-7/temperature 21.5 qos2");
        publisher.publish("sensors/boiler-7/pressure", "1.2".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/boiler-7/pressure 1.2 qos1");

        publisher.publish("sensors/boiler-8/temp", "19".getBytes(StandardCharsets.UTF_8), 1, true);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("plant/boiler-8/temperature 19 qos1");
        MqttClient late = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), "late",
                new MemoryPersistence());
        late.connect(new MqttConnectOptions());
        try {
            late.subscribe("plant/+/temperature", 1, (topic, m) -> seen.add("retained " + topic));
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("retained plant/boiler-8/temperature");
        } finally {
            late.disconnect();
            late.close();
        }
    }
}
