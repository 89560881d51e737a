package io.cairn.kernel.interop.v5;

import static io.cairn.kernel.interop.v5.MqttJs.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.cairn.kernel.interop.v5.Paho5.Arrived;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker with the HiveMQ MQTT Client 1.3.10 through its MQTT 5 API, with Paho mqttv5 and MQTT.js as the other
 * party. What the conformance suite already checks HiveMQ-to-HiveMQ (conformance/v5) is not repeated here. The
 * client does not expose the Subscription Identifiers of a received message, so they are tested with the others.
 */
class HiveMq5InteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Filters deeper than this get SUBACK 0x8F: a limit the clients do not know about, so they send the filter. */
    private static final int MAX_TOPIC_LEVELS = 16;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxTopicLevels(MAX_TOPIC_LEVELS));

    private MqttJs node() throws Exception {
        return broker.track(MqttJs.start(broker.port()));
    }

    /** A HiveMQ MQTT 5 client of whatever listens on {@code port}, not connected, disconnected after the test. */
    private Mqtt5BlockingClient hiveAt(int port, String clientId,
                                       AtomicReference<Mqtt5DisconnectReasonCode> serverDisconnect) {
        var builder = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(port);
        if (serverDisconnect != null) {
            builder.addDisconnectedListener(ctx -> {
                if (ctx.getCause() instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException e) {
                    serverDisconnect.set(e.getMqttMessage().getReasonCode());
                }
            });
        }
        Mqtt5BlockingClient c = builder.buildBlocking();
        broker.track(() -> {
            if (c.getState().isConnected()) {
                try {
                    c.toAsync().disconnect().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // a tap that was cut or closed took the connection first: it is closed, as wanted
                    if (!(e.getCause() instanceof ConnectionClosedException)) {
                        throw e;
                    }
                }
            }
        });
        return c;
    }


    private static List<Mqtt5Publish> record(Mqtt5BlockingClient c) {
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        return received;
    }



    private static List<String> payloads(List<Mqtt5Publish> messages) {
        return messages.stream().map(Hive5::text).toList();
    }

    @Test
    @DisplayName("a refused CONNECT reaches the HiveMQ client as 0x99 with a reason string, for a will whose "
            + "payload is not the UTF-8 its format indicator claims")
    void refusedConnectPayloadFormat() {
        Mqtt5BlockingClient c = Hive5.client(broker, "hive-refused");

        Mqtt5ConnAckException e = catchThrowableOfType(Mqtt5ConnAckException.class, () -> c.connectWith()
                .cleanStart(true).willPublish().topic("interop/hive5/will").qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).payload(new byte[] {(byte) 0xC3, 0x28})
                .applyWillPublish().send());

        assertThat(e).as("the connect failed").isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(e.getMqttMessage().getReasonString()).as("a reason string for the operator").isPresent();
        assertThat(c.getState().isConnected()).isFalse();
    }

    @Test
    @DisplayName("a refused CONNECT reaches the HiveMQ client as 0x89 (Server busy) from a broker at its "
            + "connection limit")
    void refusedConnectBusy() {
        try (BusyBroker busy = BusyBroker.start()) {
            Mqtt5BlockingClient first = hiveAt(busy.port(), "hive-first", null);
            first.connectWith().cleanStart(true).send();
            Mqtt5BlockingClient second = hiveAt(busy.port(), "hive-second", null);

            Mqtt5ConnAckException e = catchThrowableOfType(Mqtt5ConnAckException.class,
                    () -> second.connectWith().cleanStart(true).send());

            assertThat(e).as("the connect failed").isNotNull();
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_BUSY);
            assertThat(first.getState().isConnected()).isTrue();
            first.disconnect();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("a HiveMQ client whose session an MQTT.js client takes over is told so with DISCONNECT 0x8E")
    void takeoverByMqttJs() throws Exception {
        AtomicReference<Mqtt5DisconnectReasonCode> told = new AtomicReference<>();
        Mqtt5BlockingClient old = hiveAt(broker.port(), "same-id", told);
        old.connectWith().cleanStart(true).send();

        node().connect("new", Map.of("clientId", "same-id", "clean", false));

        await("the HiveMQ client was told").atMost(WAIT).until(() -> told.get() != null);
        assertThat(told.get()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    @DisplayName("SUBACK tells the HiveMQ client per filter: granted QoS for a good one, 0x8F for one deeper than "
            + "the broker allows")
    void subackReasonCodes() {
        Mqtt5BlockingClient c = Hive5.connected(broker, "hive-suback");
        String tooDeep = "interop/" + "x/".repeat(MAX_TOPIC_LEVELS) + "end";

        Mqtt5SubAckException e = catchThrowableOfType(Mqtt5SubAckException.class, () -> c.subscribeWith()
                .addSubscription().topicFilter("interop/hive5/ok").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .addSubscription().topicFilter(tooDeep).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("interop/hive5/ok1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .send());

        assertThat(e).as("the client reports the refused filter").isNotNull();
        assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2,
                Mqtt5SubAckReasonCode.TOPIC_FILTER_INVALID, Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    }

    @Test
    @DisplayName("the HiveMQ client maps topics to aliases by itself once CONNACK allows them; the broker resolves "
            + "them and a Paho subscriber gets the full topic every time")
    void topicAliases() throws Exception {
        Paho5 sub = new Paho5(broker, "paho5-alias-sub").connect();
        sub.subscribe("interop/hive5/alias/#", 1);
        try (WireTap tap = WireTap.start(broker.port())) {
            Mqtt5BlockingClient pub = hiveAt(tap.port(), "hive-alias", null);
            pub.connectWith().cleanStart(true).send();
            for (int i = 0; i < 5; i++) {
                pub.publishWith().topic("interop/hive5/alias/long/topic/name").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            }

            assertThat(sub.awaitReceived(5)).extracting(a -> a.topic() + " " + a.payload()).containsExactly(
                    "interop/hive5/alias/long/topic/name m0", "interop/hive5/alias/long/topic/name m1",
                    "interop/hive5/alias/long/topic/name m2", "interop/hive5/alias/long/topic/name m3",
                    "interop/hive5/alias/long/topic/name m4");
            assertThat(tap.problems()).isEmpty();
            List<WireTap.Publish> sent = tap.publishes();
            assertThat(sent).hasSize(5);
            assertThat(sent).as("the client used an alias for the repeated topic")
                    .anyMatch(p -> p.topic().isEmpty() && p.topicAlias() != null);
            Integer alias = sent.stream().filter(p -> p.topic().isEmpty()).findFirst().orElseThrow().topicAlias();
            assertThat(sent).as("bound with the topic before it was used alone")
                    .contains(new WireTap.Publish("interop/hive5/alias/long/topic/name", alias));
            pub.disconnect();
        }
    }

    @Test
    @DisplayName("a HiveMQ client back within its session expiry interval gets the QoS 1 messages MQTT.js "
            + "published meanwhile, with the expiry interval reduced by the time they waited")
    void sessionResumedWithExpiryCountedDown() throws Exception {
        Mqtt5BlockingClient sub = Hive5.client(broker, "hive-resume");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        sub.subscribeWith().topicFilter("interop/hive5/resume").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        MqttJs js = node();
        js.connect("pub", Map.of("clientId", "js-resume-pub"));
        js.publish("pub", "interop/hive5/resume", "kept", Map.of("qos", 1));
        js.publish("pub", "interop/hive5/resume", "ages", Map.of("qos", 1,
                "properties", Map.of("messageExpiryInterval", 30)));
        long published = System.nanoTime();
        // the countdown is the behaviour under test: let two seconds pass while the message is queued
        await("two seconds").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(2_100));

        List<Mqtt5Publish> received = record(sub);
        assertThat(sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();

        List<Mqtt5Publish> got = Hive5.awaitSize(received, 2);
        assertThat(payloads(got)).containsExactly("kept", "ages");
        assertThat(got.get(0).getMessageExpiryInterval()).isEmpty();
        assertThat(got.get(1).getMessageExpiryInterval()).isPresent();
        assertThat(got.get(1).getMessageExpiryInterval().getAsLong()).isBetween(1L, 28L);
    }

    @Test
    @DisplayName("the will of a HiveMQ client whose network fails arrives at MQTT.js once its will delay has "
            + "passed, with its properties")
    void willAfterDelay() throws Exception {
        MqttJs js = node();
        js.connect("watch", Map.of("clientId", "js-will-watch"));
        js.subscribe("watch", Map.of("interop/hive5/will/#", Map.of("qos", 1)), Map.of());
        try (WireTap tap = WireTap.start(broker.port())) {
            Mqtt5BlockingClient dying = hiveAt(tap.port(), "hive-will", null);
            dying.connectWith().cleanStart(true).sessionExpiryInterval(60).willPublish()
                    .topic("interop/hive5/will/gone").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("hive went away".getBytes(StandardCharsets.UTF_8)).delayInterval(1)
                    .contentType("text/plain")
                    .userProperties(Mqtt5UserProperties.builder().add("reason", "network").build())
                    .applyWillPublish().send();

            long dropped = System.nanoTime();
            tap.cut();

            JsonNode will = js.awaitMessages("watch", 1).get(0);
            assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(will.get("topic").asText()).isEqualTo("interop/hive5/will/gone");
            assertThat(will.get("payload").asText()).isEqualTo("hive went away");
            assertThat(will.get("properties").get("contentType").asText()).isEqualTo("text/plain");
            assertThat(will.get("properties").get("userProperties").toString()).isEqualTo("{\"reason\":\"network\"}");
        }
    }

    @Test
    @DisplayName("the will of a HiveMQ client that reconnects within its will delay is not sent")
    void willCancelledByReconnect() throws Exception {
        Paho5 watcher = new Paho5(broker, "paho5-will-watch").connect();
        watcher.subscribe("interop/hive5/will/#", 1);
        try (WireTap tap = WireTap.start(broker.port())) {
            Mqtt5BlockingClient first = hiveAt(tap.port(), "hive-back", null);
            first.connectWith().cleanStart(true).sessionExpiryInterval(60).willPublish()
                    .topic("interop/hive5/will/back").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("should not be sent".getBytes(StandardCharsets.UTF_8)).delayInterval(2)
                    .applyWillPublish().send();
            tap.cut();
            await("the HiveMQ client noticed").atMost(WAIT).until(() -> !first.getState().isConnected());
        }
        Mqtt5BlockingClient back = Hive5.client(broker, "hive-back");
        assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();

        // let the delay pass with the client connected; then a marker, which arrives after any will would have
        long reconnected = System.nanoTime();
        await("the delay has passed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - reconnected > TimeUnit.MILLISECONDS.toNanos(2_500));
        back.publishWith().topic("interop/hive5/will/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(watcher.awaitReceived(1)).extracting(Arrived::topic).containsExactly("interop/hive5/will/marker");
    }

    @Test
    @DisplayName("request/response: a HiveMQ responder answers an MQTT.js requester on its Response Topic with its "
            + "Correlation Data")
    void requestResponse() throws Exception {
        Mqtt5BlockingClient responder = Hive5.connected(broker, "hive-responder");
        List<Mqtt5Publish> requests = record(responder);
        responder.subscribeWith().topicFilter("interop/hive5/service/time").qos(MqttQos.AT_LEAST_ONCE).send();
        MqttJs js = node();
        js.connect("requester", Map.of("clientId", "js-requester"));
        js.subscribe("requester", Map.of("interop/hive5/replies/js-requester", Map.of("qos", 1)), Map.of());

        js.publish("requester", "interop/hive5/service/time", "what time is it?", Map.of("qos", 1, "properties",
                Map.of("responseTopic", "interop/hive5/replies/js-requester",
                        "correlationData", hex(new byte[] {42, 2}))));
        Mqtt5Publish request = Hive5.awaitSize(requests, 1).get(0);
        responder.publishWith().topic(request.getResponseTopic().orElseThrow()).qos(MqttQos.AT_LEAST_ONCE)
                .correlationData(request.getCorrelationData().orElseThrow())
                .payload("noon".getBytes(StandardCharsets.UTF_8)).send();

        JsonNode reply = js.awaitMessages("requester", 1).get(0);
        assertThat(reply.get("payload").asText()).isEqualTo("noon");
        assertThat(MqttJs.bytes(reply.get("properties").get("correlationData"))).containsExactly(42, 2);
    }

    @Test
    @DisplayName("No Local: a HiveMQ client's own message does not come back to it; a Paho client's does")
    void noLocal() throws Exception {
        Mqtt5BlockingClient c = Hive5.connected(broker, "hive-nl");
        List<Mqtt5Publish> received = record(c);
        c.subscribeWith().topicFilter("interop/hive5/nl").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
        Paho5 other = new Paho5(broker, "paho5-nl").connect();

        c.publishWith().topic("interop/hive5/nl").qos(MqttQos.AT_LEAST_ONCE)
                .payload("mine".getBytes(StandardCharsets.UTF_8)).send();
        other.publish("interop/hive5/nl", "theirs", 1);

        assertThat(payloads(Hive5.awaitSize(received, 1))).containsExactly("theirs");
    }

    @Test
    @DisplayName("Retain As Published: a HiveMQ subscription with it sees a live retained message from MQTT.js "
            + "flagged retained, one without it does not")
    void retainAsPublished() throws Exception {
        Mqtt5BlockingClient keeps = Hive5.connected(broker, "hive-rap");
        List<Mqtt5Publish> kept = record(keeps);
        keeps.subscribeWith().topicFilter("interop/hive5/rap").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true)
                .send();
        Mqtt5BlockingClient plain = Hive5.connected(broker, "hive-norap");
        List<Mqtt5Publish> plainReceived = record(plain);
        plain.subscribeWith().topicFilter("interop/hive5/rap").qos(MqttQos.AT_LEAST_ONCE).send();
        MqttJs js = node();
        js.connect("pub", Map.of("clientId", "js-rap"));

        js.publish("pub", "interop/hive5/rap", "live and kept", Map.of("qos", 1, "retain", true));

        assertThat(Hive5.awaitSize(kept, 1).get(0).isRetain()).isTrue();
        assertThat(Hive5.awaitSize(plainReceived, 1).get(0).isRetain()).isFalse();
    }

    @Test
    @DisplayName("Retain Handling with the HiveMQ client: SEND at every SUBSCRIBE, SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST "
            + "once, DO_NOT_SEND never")
    void retainHandling() throws Exception {
        Paho5 pub = new Paho5(broker, "paho5-rh").connect();
        MqttMessage retained = new MqttMessage("retained".getBytes(StandardCharsets.UTF_8));
        retained.setQos(1);
        retained.setRetained(true);
        pub.publish("interop/hive5/rh", retained);
        Mqtt5RetainHandling[] handlings = Mqtt5RetainHandling.values();
        List<List<Mqtt5Publish>> received = new java.util.ArrayList<>();
        for (Mqtt5RetainHandling handling : handlings) {
            Mqtt5BlockingClient c = Hive5.connected(broker, "hive-rh-" + handling.getCode());
            received.add(record(c));
            for (int times = 0; times < 2; times++) {
                c.subscribeWith().topicFilter("interop/hive5/rh").qos(MqttQos.AT_LEAST_ONCE).retainHandling(handling)
                        .send();
            }
        }

        pub.publish("interop/hive5/rh", "marker", 1);

        assertThat(handlings).containsExactly(Mqtt5RetainHandling.SEND,
                Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST, Mqtt5RetainHandling.DO_NOT_SEND);
        assertThat(payloads(Hive5.awaitSize(received.get(0), 3))).containsExactly("retained", "retained", "marker");
        assertThat(payloads(Hive5.awaitSize(received.get(1), 2))).containsExactly("retained", "marker");
        assertThat(payloads(Hive5.awaitSize(received.get(2), 1))).containsExactly("marker");
    }

    @Test
    @DisplayName("UNSUBACK tells the HiveMQ client per filter whether a subscription existed or not")
    void unsubackReasonCodes() {
        Mqtt5BlockingClient c = Hive5.connected(broker, "hive-unsub");
        c.subscribeWith().topicFilter("interop/hive5/unsub/a").qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5UnsubAck ack = c.unsubscribeWith().addTopicFilter("interop/hive5/unsub/a")
                .addTopicFilter("interop/hive5/unsub/never").send();

        assertThat(ack.getReasonCodes()).containsExactly(Mqtt5UnsubAckReasonCode.SUCCESS,
                Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
    }
}
