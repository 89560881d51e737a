package io.cairn.kernel.interop.v5;

import static io.cairn.kernel.interop.v5.MqttJs.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.interop.v5.Paho5.Arrived;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker with MQTT.js 5 (npm {@code mqtt}, the version locked in {@code src/test/node/package-lock.json}) under
 * Node, speaking MQTT 5, driven through {@link MqttJs}; the HiveMQ MQTT Client and Paho mqttv5 are the other party.
 */
class MqttJs5InteropTest {

    private static final Duration WAIT = MqttJs.WAIT;
    /** Filters deeper than this get SUBACK 0x8F: a limit the clients do not know about, so they send the filter. */
    private static final int MAX_TOPIC_LEVELS = 16;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxTopicLevels(MAX_TOPIC_LEVELS));

    @BeforeAll
    static void requireNode() {
        MqttJs.requireNode();
    }

    private MqttJs node() throws Exception {
        return broker.track(MqttJs.start(broker.port()));
    }





    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static Map<String, Object> qos(int qos) {
        return Map.of("qos", qos);
    }

    /** The options of a persistent MQTT.js session: Clean Start as given, expiry interval {@code expiry} seconds. */
    private static Map<String, Object> session(String clientId, boolean clean, long expiry) {
        return Map.of("clientId", clientId, "clean", clean, "properties", Map.of("sessionExpiryInterval", expiry));
    }

    private static List<String> payloads(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("payload").asText()).toList();
    }

    @Test
    @DisplayName("every PUBLISH property MQTT.js sets reaches a Paho subscriber: user properties in order, content "
            + "type, payload format, response topic, correlation data, expiry counted down")
    void propertiesFromMqttJs() throws Exception {
        Paho5 sub = new Paho5(broker, "paho5-props-sub").connect();
        sub.subscribe("interop/js/props/#", 1);
        MqttJs js = node();
        js.connect("pub", Map.of("clientId", "js-props-pub"));

        Map<String, Object> userProperties = new LinkedHashMap<>();
        userProperties.put("b", List.of("2", "3"));
        userProperties.put("a", "1");
        js.publish("pub", "interop/js/props/all", "{\"t\":21}", Map.of("qos", 1, "properties", Map.of(
                "userProperties", userProperties,
                "contentType", "application/json",
                "payloadFormatIndicator", true,
                "responseTopic", "interop/js/reply",
                "correlationData", hex(new byte[] {0, 1, 2, (byte) 0xFF}),
                "messageExpiryInterval", 100)));

        Arrived got = sub.awaitReceived(1).get(0);
        MqttProperties p = got.properties();
        assertThat(got.payload()).isEqualTo("{\"t\":21}");
        assertThat(p.getUserProperties()).extracting(u -> u.getKey() + "=" + u.getValue())
                .containsExactly("b=2", "b=3", "a=1");
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getPayloadFormat()).isTrue();
        assertThat(p.getResponseTopic()).isEqualTo("interop/js/reply");
        assertThat(p.getCorrelationData()).containsExactly(0, 1, 2, (byte) 0xFF);
        assertThat(p.getMessageExpiryInterval()).isBetween(1L, 100L);
    }

    @Test
    @DisplayName("every PUBLISH property a HiveMQ client sets reaches an MQTT.js subscriber")
    void propertiesToMqttJs() throws Exception {
        MqttJs js = node();
        js.connect("sub", Map.of("clientId", "js-props-sub"));
        assertThat(js.subscribe("sub", Map.of("interop/js/props/#", qos(1)), Map.of())).containsExactly(1);
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-props-pub");

        pub.publishWith().topic("interop/js/props/all").qos(MqttQos.AT_LEAST_ONCE)
                .payload("21 °C".getBytes(StandardCharsets.UTF_8))
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("text/plain; charset=utf-8")
                .responseTopic("interop/js/reply")
                .correlationData(new byte[] {9, 8, 7})
                .messageExpiryInterval(3_600)
                .userProperties(Mqtt5UserProperties.builder().add("z", "last").add("a", "first").add("z", "again")
                        .build())
                .send();

        JsonNode got = js.awaitMessages("sub", 1).get(0);
        JsonNode p = got.get("properties");
        assertThat(got.get("topic").asText()).isEqualTo("interop/js/props/all");
        assertThat(got.get("payload").asText()).isEqualTo("21 °C");
        // MQTT.js folds user properties into an object: repeated names become an array, in their order
        assertThat(p.get("userProperties").toString()).isEqualTo("{\"z\":[\"last\",\"again\"],\"a\":\"first\"}");
        assertThat(p.get("contentType").asText()).isEqualTo("text/plain; charset=utf-8");
        assertThat(p.get("payloadFormatIndicator").asBoolean()).isTrue();
        assertThat(p.get("responseTopic").asText()).isEqualTo("interop/js/reply");
        assertThat(MqttJs.bytes(p.get("correlationData"))).containsExactly(9, 8, 7);
        assertThat(p.get("messageExpiryInterval").asLong()).isBetween(1L, 3_600L);
    }

    @Test
    @DisplayName("a refused CONNECT reaches MQTT.js as its 5.0 reason code: 0x99 for a will whose payload is not "
            + "the UTF-8 its format indicator claims")
    void refusedConnectPayloadFormat() throws Exception {
        MqttJs js = node();

        JsonNode reply = js.command("bad", "connect", Map.of("options", Map.of("clientId", "js-refused", "will",
                Map.of("topic", "interop/js/will", "payload", hex(new byte[] {(byte) 0xC3, 0x28}), "qos", 1,
                        "properties", Map.of("payloadFormatIndicator", true)))));

        assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isFalse();
        assertThat(reply.get("code").asInt()).as(reply.toString()).isEqualTo(0x99);
        assertThat(broker.broker().clients()).noneMatch(i -> i.clientId().equals("js-refused"));
    }

    @Test
    @DisplayName("a refused CONNECT reaches MQTT.js as its 5.0 reason code: 0x89 (Server busy) from a broker at "
            + "its connection limit")
    void refusedConnectBusy() throws Exception {
        try (BusyBroker busy = BusyBroker.start()) {
            MqttJs js = node();
            js.connect("first", Map.of("clientId", "js-first", "port", busy.port()));

            JsonNode reply = js.command("second", "connect", Map.of("options",
                    Map.of("clientId", "js-second", "port", busy.port())));

            assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isFalse();
            assertThat(reply.get("code").asInt()).as(reply.toString()).isEqualTo(0x89);
            js.ok("first", "end", Map.of());
        }
    }

    @Test
    @DisplayName("an MQTT.js client whose session a Paho client takes over is told so with DISCONNECT 0x8E")
    void takeover() throws Exception {
        MqttJs js = node();
        js.connect("old", Map.of("clientId", "same-id"));

        new Paho5(broker, "same-id").connect();

        assertThat(js.awaitEvent("old", "disconnect").get("reasonCode").asInt()).isEqualTo(0x8E);
        js.awaitEvent("old", "close");
    }

    @Test
    @DisplayName("SUBACK tells MQTT.js per filter: granted QoS for a good one, 0x8F for one deeper than the broker "
            + "allows")
    void subackReasonCodes() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-suback"));
        String tooDeep = "interop/" + "x/".repeat(MAX_TOPIC_LEVELS) + "end";
        Map<String, Object> subscriptions = new LinkedHashMap<>();
        subscriptions.put("interop/js/ok", qos(2));
        subscriptions.put(tooDeep, qos(1));
        subscriptions.put("interop/js/ok1", qos(1));

        assertThat(js.subscribe("c", subscriptions, Map.of())).containsExactly(2, 0x8F, 1);
    }

    @Test
    @DisplayName("MQTT.js topic aliases, set by hand and assigned automatically, are resolved by the broker: a "
            + "HiveMQ subscriber gets the full topic every time")
    void topicAliases() throws Exception {
        List<Mqtt5Publish> received = Hive5.subscribe(Hive5.connected(broker, "hive-alias-sub"), "interop/js/alias/#");
        try (WireTap tap = WireTap.start(broker.port())) {
            MqttJs js = node();
            js.connect("manual", Map.of("clientId", "js-alias-manual", "port", tap.port()));
            js.connect("auto", Map.of("clientId", "js-alias-auto", "port", tap.port(), "autoAssignTopicAlias", true));

            js.publish("manual", "interop/js/alias/manual", "m0", Map.of("qos", 1,
                    "properties", Map.of("topicAlias", 5)));
            js.publish("manual", "", "m1", Map.of("qos", 1, "properties", Map.of("topicAlias", 5)));
            for (int i = 0; i < 2; i++) {
                js.publish("auto", "interop/js/alias/auto", "a" + i, Map.of("qos", 1));
            }

            assertThat(Hive5.awaitSize(received, 4)).extracting(p -> p.getTopic().toString() + " " + Hive5.text(p))
                    .containsExactly("interop/js/alias/manual m0", "interop/js/alias/manual m1",
                            "interop/js/alias/auto a0", "interop/js/alias/auto a1");
            assertThat(tap.problems()).isEmpty();
            List<WireTap.Publish> sent = tap.publishes();
            assertThat(sent).hasSize(4);
            assertThat(sent.subList(0, 2)).containsExactly(new WireTap.Publish("interop/js/alias/manual", 5),
                    new WireTap.Publish("", 5));
            assertThat(sent.get(2).topic()).isEqualTo("interop/js/alias/auto");
            assertThat(sent.get(2).topicAlias()).isNotNull();
            assertThat(sent.get(3)).isEqualTo(new WireTap.Publish("", sent.get(2).topicAlias()));
        }
    }

    @Test
    @DisplayName("an MQTT.js client back within its session expiry interval finds Session Present and the QoS 1 "
            + "messages a HiveMQ client published meanwhile")
    void sessionResumed() throws Exception {
        MqttJs js = node();
        assertThat(js.connect("c", session("js-resume", true, 60)).get("sessionPresent").asBoolean()).isFalse();
        js.subscribe("c", Map.of("interop/js/resume", qos(1)), Map.of());
        js.ok("c", "end", Map.of());
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-resume-pub");
        for (int i = 1; i <= 3; i++) {
            pub.publishWith().topic("interop/js/resume").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("away " + i).getBytes(StandardCharsets.UTF_8)).send();
        }

        JsonNode connack = js.connect("back", session("js-resume", false, 60));

        assertThat(connack.get("sessionPresent").asBoolean()).isTrue();
        assertThat(payloads(js.awaitMessages("back", 3))).containsExactly("away 1", "away 2", "away 3");
    }

    @Test
    @DisplayName("an MQTT.js client back after its session expiry interval gets Session Present 0 and nothing of "
            + "the old session")
    void sessionExpired() throws Exception {
        MqttJs js = node();
        js.connect("c", session("js-expire", true, 1));
        js.subscribe("c", Map.of("interop/js/expire", qos(1)), Map.of());
        js.ok("c", "end", Map.of());
        await("the session expired").atMost(WAIT).until(() -> broker.broker().session("js-expire").isEmpty());
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-expire-pub");
        pub.publishWith().topic("interop/js/expire").qos(MqttQos.AT_LEAST_ONCE)
                .payload("nobody listens".getBytes(StandardCharsets.UTF_8)).send();

        JsonNode connack = js.connect("back", session("js-expire", false, 60));

        assertThat(connack.get("sessionPresent").asBoolean()).isFalse();
        js.subscribe("back", Map.of("interop/js/expire", qos(1)), Map.of());
        pub.publishWith().topic("interop/js/expire").qos(MqttQos.AT_LEAST_ONCE)
                .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(payloads(js.awaitMessages("back", 1))).containsExactly("marker");
    }

    @Test
    @DisplayName("the will of an MQTT.js client that drops its connection arrives once its will delay has passed, "
            + "with its properties")
    void willAfterDelay() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/js/will/#");
        MqttJs js = node();
        js.connect("dying", Map.of("clientId", "js-will", "properties", Map.of("sessionExpiryInterval", 60),
                "will", Map.of("topic", "interop/js/will/gone", "payload", "mqtt.js went away", "qos", 1,
                        "properties", Map.of("willDelayInterval", 1, "contentType", "text/plain",
                                "userProperties", Map.of("reason", "crash")))));

        long dropped = System.nanoTime();
        js.ok("dying", "crash", Map.of());

        Mqtt5Publish will = Hive5.awaitSize(wills, 1).get(0);
        assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(will.getTopic()).hasToString("interop/js/will/gone");
        assertThat(Hive5.text(will)).isEqualTo("mqtt.js went away");
        assertThat(will.getContentType()).hasValueSatisfying(t -> assertThat(t).hasToString("text/plain"));
        assertThat(will.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("reason=crash");
    }

    @Test
    @DisplayName("the will of an MQTT.js client that reconnects within its will delay is not sent")
    void willCancelledByReconnect() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/js/will/#");
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-back", "clean", true, "properties", Map.of("sessionExpiryInterval", 60),
                "will", Map.of("topic", "interop/js/will/back", "payload", "should not be sent", "qos", 1,
                        "properties", Map.of("willDelayInterval", 2))));
        js.ok("c", "crash", Map.of());
        assertThat(js.connect("back", session("js-back", false, 60)).get("sessionPresent").asBoolean()).isTrue();

        // let the delay pass with the client connected; then a marker, which arrives after any will would have
        long reconnected = System.nanoTime();
        await("the delay has passed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - reconnected > TimeUnit.MILLISECONDS.toNanos(2_500));
        js.publish("back", "interop/js/will/marker", "marker", Map.of("qos", 1));
        assertThat(Hive5.awaitSize(wills, 1)).extracting(p -> p.getTopic().toString())
                .containsExactly("interop/js/will/marker");
    }

    @Test
    @DisplayName("request/response: an MQTT.js responder answers a Paho requester on its Response Topic with its "
            + "Correlation Data")
    void requestResponse() throws Exception {
        MqttJs js = node();
        js.connect("responder", Map.of("clientId", "js-responder"));
        js.subscribe("responder", Map.of("interop/js/service/time", qos(1)), Map.of());
        Paho5 requester = new Paho5(broker, "paho5-requester").connect();
        requester.subscribe("interop/js/replies/paho5-requester", 1);

        MqttMessage request = new MqttMessage("what time is it?".getBytes(StandardCharsets.UTF_8));
        request.setQos(1);
        MqttProperties requestProperties = new MqttProperties();
        requestProperties.setResponseTopic("interop/js/replies/paho5-requester");
        requestProperties.setCorrelationData(new byte[] {42, 1});
        request.setProperties(requestProperties);
        requester.publish("interop/js/service/time", request);
        JsonNode asked = js.awaitMessages("responder", 1).get(0).get("properties");
        js.publish("responder", asked.get("responseTopic").asText(), "noon", Map.of("qos", 1,
                "properties", Map.of("correlationData", hex(MqttJs.bytes(asked.get("correlationData"))))));

        Arrived reply = requester.awaitReceived(1).get(0);
        assertThat(reply.payload()).isEqualTo("noon");
        assertThat(reply.properties().getCorrelationData()).containsExactly(42, 1);
    }

    @Test
    @DisplayName("MQTT.js receives the Subscription Identifiers of every subscription a message matched")
    void subscriptionIdentifiers() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-ids"));
        js.subscribe("c", Map.of("interop/js/ids/#", qos(1)), Map.of("properties", Map.of("subscriptionIdentifier", 7)));
        js.subscribe("c", Map.of("interop/js/ids/+/temp", qos(1)),
                Map.of("properties", Map.of("subscriptionIdentifier", 9)));
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-ids-pub");

        pub.publishWith().topic("interop/js/ids/kitchen/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        pub.publishWith().topic("interop/js/ids/kitchen").qos(MqttQos.AT_LEAST_ONCE).send();

        List<JsonNode> got = js.awaitMessages("c", 2);
        assertThat(got.get(0).get("topic").asText()).isEqualTo("interop/js/ids/kitchen/temp");
        JsonNode both = got.get(0).get("properties").get("subscriptionIdentifier");
        assertThat(both.isArray()).as(both.toString()).isTrue();
        assertThat(List.of(both.get(0).asInt(), both.get(1).asInt())).containsExactlyInAnyOrder(7, 9);
        assertThat(got.get(1).get("topic").asText()).isEqualTo("interop/js/ids/kitchen");
        assertThat(got.get(1).get("properties").get("subscriptionIdentifier").asInt()).isEqualTo(7);
    }

    @Test
    @DisplayName("No Local: an MQTT.js client's own message does not come back to it; a HiveMQ client's does")
    void noLocal() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-nl"));
        js.subscribe("c", Map.of("interop/js/nl", Map.of("qos", 1, "nl", true)), Map.of());
        Mqtt5BlockingClient other = Hive5.connected(broker, "hive-nl");

        js.publish("c", "interop/js/nl", "mine", Map.of("qos", 1));
        other.publishWith().topic("interop/js/nl").qos(MqttQos.AT_LEAST_ONCE)
                .payload("theirs".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(payloads(js.awaitMessages("c", 1))).containsExactly("theirs");
    }

    @Test
    @DisplayName("Retain As Published: an MQTT.js subscription with it sees a live retained message flagged "
            + "retained, one without it does not")
    void retainAsPublished() throws Exception {
        MqttJs js = node();
        js.connect("keeps", Map.of("clientId", "js-rap"));
        js.subscribe("keeps", Map.of("interop/js/rap", Map.of("qos", 1, "rap", true)), Map.of());
        js.connect("plain", Map.of("clientId", "js-norap"));
        js.subscribe("plain", Map.of("interop/js/rap", qos(1)), Map.of());
        Paho5 pub = new Paho5(broker, "paho5-rap").connect();

        MqttMessage m = new MqttMessage("live and kept".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(true);
        pub.publish("interop/js/rap", m);

        assertThat(js.awaitMessages("keeps", 1).get(0).get("retain").asBoolean()).isTrue();
        assertThat(js.awaitMessages("plain", 1).get(0).get("retain").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("Retain Handling with MQTT.js: 0 sends the retained message at every SUBSCRIBE, 1 only for a new "
            + "subscription, 2 never")
    void retainHandling() throws Exception {
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-rh");
        pub.publishWith().topic("interop/js/rh").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("retained".getBytes(StandardCharsets.UTF_8)).send();
        MqttJs js = node();
        for (int rh = 0; rh <= 2; rh++) {
            js.connect("rh" + rh, Map.of("clientId", "js-rh" + rh));
            for (int times = 0; times < 2; times++) {
                js.subscribe("rh" + rh, Map.of("interop/js/rh", Map.of("qos", 1, "rh", rh)), Map.of());
            }
        }

        pub.publishWith().topic("interop/js/rh").qos(MqttQos.AT_LEAST_ONCE)
                .payload("marker".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(payloads(js.awaitMessages("rh0", 3))).containsExactly("retained", "retained", "marker");
        assertThat(payloads(js.awaitMessages("rh1", 2))).containsExactly("retained", "marker");
        assertThat(payloads(js.awaitMessages("rh2", 1))).containsExactly("marker");
    }

    @Test
    @DisplayName("MQTT.js connecting with an empty client identifier learns the one the broker assigned from "
            + "CONNACK")
    void assignedClientIdentifier() throws Exception {
        MqttJs js = node();

        JsonNode connack = js.connect("c", Map.of("clientId", ""));

        String assigned = connack.get("properties").path("assignedClientIdentifier").asText();
        assertThat(assigned).as(connack.toString()).isNotEmpty();
        assertThat(broker.broker().clients()).anyMatch(i -> i.clientId().equals(assigned));
    }

    @Test
    @DisplayName("MQTT.js's DISCONNECT 0x04 (with will message) has the broker publish its will; a plain "
            + "DISCONNECT does not")
    void disconnectWithWillMessage() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/js/dwill/#");
        MqttJs js = node();
        js.connect("normal", Map.of("clientId", "js-normal", "will",
                Map.of("topic", "interop/js/dwill/normal", "payload", "not sent", "qos", 1)));
        js.connect("asking", Map.of("clientId", "js-asking", "will",
                Map.of("topic", "interop/js/dwill/asking", "payload", "asked for", "qos", 1)));

        js.ok("normal", "end", Map.of());
        js.ok("asking", "end", Map.of("options", Map.of("reasonCode", 0x04)));

        assertThat(Hive5.awaitSize(wills, 1)).extracting(p -> p.getTopic().toString())
                .containsExactly("interop/js/dwill/asking");
        // a marker after both: the plain disconnect's will would have arrived before it
        js.connect("marker", Map.of("clientId", "js-marker"));
        js.publish("marker", "interop/js/dwill/marker", "marker", Map.of("qos", 1));
        assertThat(Hive5.awaitSize(wills, 2)).extracting(p -> p.getTopic().toString())
                .containsExactly("interop/js/dwill/asking", "interop/js/dwill/marker");
    }

    @Test
    @DisplayName("an MQTT.js PUBLISH whose payload is not the UTF-8 its format indicator claims is answered with "
            + "DISCONNECT 0x99")
    void payloadFormatInvalid() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-format"));

        js.ok("c", "publish", Map.of("topic", "interop/js/format", "payload", hex(new byte[] {(byte) 0xC3, 0x28}),
                "options", Map.of("qos", 0, "properties", Map.of("payloadFormatIndicator", true))));

        assertThat(js.awaitEvent("c", "disconnect").get("reasonCode").asInt()).isEqualTo(0x99);
    }

    @Test
    @DisplayName("an MQTT.js client's Maximum Packet Size is honoured: a larger message is not sent to it, a "
            + "smaller one after it is")
    void maximumPacketSize() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-small", "properties", Map.of("maximumPacketSize", 256)));
        js.subscribe("c", Map.of("interop/js/size/#", qos(1)), Map.of());
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-size-pub");

        pub.publishWith().topic("interop/js/size/big").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1_000]).send();
        pub.publishWith().topic("interop/js/size/small").qos(MqttQos.AT_LEAST_ONCE)
                .payload("fits".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(js.awaitMessages("c", 1)).extracting(m -> m.get("topic").asText())
                .containsExactly("interop/js/size/small");
        assertThat(js.events("c", "error")).as("MQTT.js saw no packet over its maximum").isEmpty();
        assertThat(js.events("c", "close")).isEmpty();
    }

    @Test
    @DisplayName("MQTT.js ends its session at DISCONNECT: Session Expiry Interval 0 there discards a 60-s session")
    void sessionExpiryChangedAtDisconnect() throws Exception {
        MqttJs js = node();
        js.connect("c", session("js-shorten", true, 60));
        js.subscribe("c", Map.of("interop/js/shorten", qos(1)), Map.of());

        js.ok("c", "end", Map.of("options", Map.of("properties", Map.of("sessionExpiryInterval", 0))));

        await("the session ended").atMost(WAIT).until(() -> broker.broker().session("js-shorten").isEmpty());
        assertThat(js.connect("back", session("js-shorten", false, 60)).get("sessionPresent").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("an MQTT.js client's Receive Maximum is honoured: a burst of 30 QoS 1 messages arrives in order "
            + "with never more than 2 unacknowledged")
    void receiveMaximum() throws Exception {
        try (WireTap tap = WireTap.start(broker.port())) {
            MqttJs js = node();
            js.connect("c", Map.of("clientId", "js-rm", "port", tap.port(), "properties", Map.of("receiveMaximum", 2)));
            js.subscribe("c", Map.of("interop/js/rm", qos(1)), Map.of());
            Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-rm-pub");

            List<java.util.concurrent.CompletableFuture<?>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sends.add(pub.toAsync().publishWith().topic("interop/js/rm").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send());
            }

            List<String> expected = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "m" + i).toList();
            assertThat(payloads(js.awaitMessages("c", 30))).containsExactlyElementsOf(expected);
            assertThat(sends).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(tap.maxServerInflight()).isBetween(1, 2);
            assertThat(tap.problems()).isEmpty();
            js.ok("c", "end", Map.of());
        }
    }

    @Test
    @DisplayName("MQTT.js reassigning its 64 topic aliases among 80 topics (least recently used first): every "
            + "message still reaches a HiveMQ subscriber under its own topic")
    void topicAliasesRebound() throws Exception {
        List<Mqtt5Publish> received = Hive5.subscribe(Hive5.connected(broker, "hive-rebind-sub"), "interop/js/rebind/#");
        try (WireTap tap = WireTap.start(broker.port())) {
            MqttJs js = node();
            JsonNode connack = js.connect("c", Map.of("clientId", "js-rebind", "port", tap.port(),
                    "autoAssignTopicAlias", true));
            int maximum = connack.get("properties").get("topicAliasMaximum").asInt();
            int topics = maximum + 16;
            List<String> expected = new java.util.ArrayList<>();
            List<Map<String, Object>> messages = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int t = 0; t < topics; t++) {
                    // QoS 0: MQTT.js writes a PUBLISH in pieces, and waiting for each PUBACK costs a delayed ACK
                    messages.add(Map.of("topic", "interop/js/rebind/" + t, "payload", round + "/" + t,
                            "options", qos(0)));
                    expected.add("interop/js/rebind/" + t + " " + round + "/" + t);
                }
            }
            js.ok("c", "publishAll", Map.of("messages", messages));

            assertThat(Hive5.awaitSize(received, expected.size())).extracting(p -> p.getTopic().toString() + " " + Hive5.text(p))
                    .containsExactlyElementsOf(expected);
            List<WireTap.Publish> sent = tap.publishes();
            assertThat(sent).as("every PUBLISH carried an alias").allMatch(p -> p.topicAlias() != null);
            assertThat(sent.stream().map(WireTap.Publish::topicAlias).distinct().count()).isEqualTo(maximum);
            assertThat(sent).as("aliases were bound again to other topics")
                    .filteredOn(p -> !p.topic().isEmpty()).hasSizeGreaterThan(maximum);
        }
    }

    @Test
    @DisplayName("an MQTT.js client the operator disconnects is told so with DISCONNECT 0x98")
    void disconnectedByOperator() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-kicked"));

        assertThat(broker.broker().disconnect("js-kicked")).isTrue();

        assertThat(js.awaitEvent("c", "disconnect").get("reasonCode").asInt()).isEqualTo(0x98);
    }

    @Test
    @DisplayName("UNSUBACK tells MQTT.js per filter whether a subscription existed (0x00) or not (0x11)")
    void unsubackReasonCodes() throws Exception {
        MqttJs js = node();
        js.connect("c", Map.of("clientId", "js-unsub"));
        js.subscribe("c", Map.of("interop/js/unsub/a", qos(1)), Map.of());

        JsonNode reply = js.ok("c", "unsubscribe", Map.of("topics",
                List.of("interop/js/unsub/a", "interop/js/unsub/never")));

        assertThat(reply.get("unsuback").get("granted").toString()).isEqualTo("[0,17]");
    }
}
