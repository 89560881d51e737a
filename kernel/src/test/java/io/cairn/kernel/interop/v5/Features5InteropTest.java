package io.cairn.kernel.interop.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT 5 features that need the broker's side of a choice, with the client libraries: shared subscriptions
 * with an MQTT.js and a Paho member in one group, the broker's topic aliases as MQTT.js resolves them, and
 * Request/Response Information.
 */
class Features5InteropTest {

    private static final Duration WAIT = MqttJs.WAIT;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @BeforeAll
    static void requireNode() {
        MqttJs.requireNode();
    }

    private MqttJs node() throws Exception {
        return broker.track(MqttJs.start(broker.port()));
    }


    private static void publish(Mqtt5BlockingClient c, String topic, String payload) {
        c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    @Test
    @DisplayName("a shared subscription with an MQTT.js and a Paho member: each of a HiveMQ client's messages "
            + "reaches exactly one of them, and both get a share")
    void sharedSubscription() throws Exception {
        MqttJs js = node();
        js.connect("member", Map.of("clientId", "js-shared"));
        js.subscribe("member", Map.of("$share/workers/interop/jobs/+", Map.of("qos", 1)), Map.of());
        Paho5 paho = new Paho5(broker, "paho-shared").connect();
        paho.subscribe("$share/workers/interop/jobs/+", 1);

        Mqtt5BlockingClient publisher = Hive5.connected(broker, "hive-shared-pub");
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            sent.add("job-" + i);
            publish(publisher, "interop/jobs/print", "job-" + i);
        }

        await().atMost(WAIT).until(() -> js.events("member", "message").size() + paho.received.size() >= 10);
        List<String> got = new ArrayList<>();
        js.events("member", "message").forEach(m -> got.add(m.get("payload").asText()));
        paho.received.forEach(a -> got.add(a.payload()));
        assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(js.events("member", "message")).as("MQTT.js had a share").isNotEmpty();
        assertThat(paho.received).as("Paho had a share").isNotEmpty();
    }

    @Test
    @DisplayName("MQTT.js that allows topic aliases gets every message of a hot topic under its full name, while "
            + "the broker sends most of them with an alias")
    void brokerTopicAliases() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-aliases-in", "properties", Map.of("topicAliasMaximum", 4)));
        js.subscribe("c", Map.of("interop/plant/#", Map.of("qos", 1)), Map.of());
        Mqtt5BlockingClient publisher = Hive5.connected(broker, "hive-plant");
        String[] topics = {"interop/plant/line-1/press/pressure", "interop/plant/line-2/oven/temperature"};
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (String topic : topics) {
                publish(publisher, topic, "r" + round);
                expected.add(topic + " r" + round);
            }
        }

        List<JsonNode> messages = js.awaitMessages("c", expected.size());
        assertThat(messages).extracting(m -> m.get("topic").asText() + " " + m.get("payload").asText())
                .containsExactlyElementsOf(expected);
        assertThat(messages).as("the broker used its aliases: MQTT.js reports them per packet")
                .anySatisfy(m -> assertThat(m.path("properties").path("topicAlias").asInt()).isBetween(1, 4));
    }

    @Test
    @DisplayName("MQTT.js asking for Response Information gets a topic prefix of its own, and a responder's reply "
            + "on it comes back")
    void responseInformation() throws Exception {
        MqttJs js = node();
        JsonNode connack = js.connect("requester", Map.of("clientId", "js-requester",
                "properties", Map.of("requestResponseInformation", true)));
        String prefix = connack.path("properties").path("responseInformation").asText();
        assertThat(prefix).isEqualTo("response/js-requester/");
        js.subscribe("requester", Map.of(prefix + "#", Map.of("qos", 1)), Map.of());

        Mqtt5BlockingClient responder = Hive5.connected(broker, "hive-responder");
        publish(responder, prefix + "answer", "42");
        assertThat(js.awaitMessages("requester", 1).get(0).get("payload").asText()).isEqualTo("42");
    }
}
