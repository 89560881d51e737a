package io.cairn.kernel.interop.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker with Eclipse Paho's Java client for MQTT 5 (org.eclipse.paho.mqttv5.client 1.2.5), with the HiveMQ
 * MQTT Client's MQTT 5 API as the other party where a scenario needs two libraries.
 */
class Paho5InteropTest {

    private static final Duration WAIT = Paho5.WAIT;
    /** Filters deeper than this get SUBACK 0x8F: a limit the clients do not know about, so they send the filter. */
    private static final int MAX_TOPIC_LEVELS = 16;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxTopicLevels(MAX_TOPIC_LEVELS));

    private Paho5 paho(String clientId) throws MqttException {
        return new Paho5(broker, clientId);
    }





    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static MqttMessage message(String payload, int qos) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        return m;
    }

    @Test
    @DisplayName("every PUBLISH property Paho sets reaches a HiveMQ subscriber: user properties in order, content "
            + "type, payload format, response topic, correlation data, expiry counted down")
    void propertiesFromPaho() throws Exception {
        List<Mqtt5Publish> received = Hive5.subscribe(Hive5.connected(broker, "hive-props-sub"), "interop/paho5/props/#");
        Paho5 pub = paho("paho5-props-pub").connect();

        MqttMessage m = message("{\"t\":21}", 1);
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new UserProperty("b", "2"), new UserProperty("a", "1"), new UserProperty("b", "3")));
        p.setContentType("application/json");
        p.setPayloadFormat(true);
        p.setResponseTopic("interop/paho5/reply");
        p.setCorrelationData(new byte[] {0, 1, 2, (byte) 0xFF});
        p.setMessageExpiryInterval(100L);
        m.setProperties(p);
        pub.publish("interop/paho5/props/all", m);

        Mqtt5Publish got = Hive5.awaitSize(received, 1).get(0);
        assertThat(Hive5.text(got)).isEqualTo("{\"t\":21}");
        assertThat(got.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("b=2", "a=1", "b=3");
        assertThat(got.getContentType()).hasValueSatisfying(t -> assertThat(t).hasToString("application/json"));
        assertThat(got.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(got.getResponseTopic()).hasValueSatisfying(t -> assertThat(t).hasToString("interop/paho5/reply"));
        assertThat(got.getCorrelationData()).hasValueSatisfying(
                d -> assertThat(bytes(d)).containsExactly(0, 1, 2, (byte) 0xFF));
        assertThat(got.getMessageExpiryInterval()).isPresent();
        assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(1L, 100L);
    }

    @Test
    @DisplayName("every PUBLISH property a HiveMQ client sets reaches a Paho subscriber, user properties in order")
    void propertiesToPaho() throws Exception {
        Paho5 sub = paho("paho5-props-sub").connect();
        sub.subscribe("interop/paho5/props/#", 1);
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-props-pub");

        pub.publishWith().topic("interop/paho5/props/all").qos(MqttQos.AT_LEAST_ONCE)
                .payload("21 °C".getBytes(StandardCharsets.UTF_8))
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("text/plain; charset=utf-8")
                .responseTopic("interop/paho5/reply")
                .correlationData(new byte[] {9, 8, 7})
                .messageExpiryInterval(3_600)
                .userProperties(Mqtt5UserProperties.builder().add("z", "last").add("a", "first").add("z", "again")
                        .build())
                .send();

        Arrived got = sub.awaitReceived(1).get(0);
        MqttProperties p = got.properties();
        assertThat(got.payload()).isEqualTo("21 °C");
        assertThat(p.getUserProperties()).extracting(u -> u.getKey() + "=" + u.getValue())
                .containsExactly("z=last", "a=first", "z=again");
        assertThat(p.getContentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(p.getPayloadFormat()).isTrue();
        assertThat(p.getResponseTopic()).isEqualTo("interop/paho5/reply");
        assertThat(p.getCorrelationData()).containsExactly(9, 8, 7);
        assertThat(p.getMessageExpiryInterval()).isBetween(1L, 3_600L);
    }

    @Test
    @DisplayName("a message queued for an offline Paho session arrives with its expiry interval reduced by the time "
            + "it waited")
    void expiryCountedDownWhileQueued() throws Exception {
        Paho5 sub = paho("paho5-expiry");
        sub.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
        });
        sub.subscribe("interop/paho5/expiry", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-expiry-pub");
        pub.publishWith().topic("interop/paho5/expiry").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(30)
                .payload("ages".getBytes(StandardCharsets.UTF_8)).send();
        long published = System.nanoTime();
        // the countdown is the behaviour under test: let two seconds pass while the message is queued
        await("two seconds").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(2_100));

        sub.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });

        Arrived got = sub.awaitReceived(1).get(0);
        assertThat(got.payload()).isEqualTo("ages");
        assertThat(got.properties().getMessageExpiryInterval()).isBetween(1L, 28L);
    }

    @Test
    @DisplayName("a refused CONNECT reaches Paho as its 5.0 reason code: 0x89 (Server busy) from a broker at its "
            + "connection limit")
    void refusedConnect() throws Exception {
        try (BusyBroker busy = BusyBroker.start()) {
            Paho5 first = new Paho5(broker, busy.port(), "paho5-first");
            first.connect();
            Paho5 second = new Paho5(broker, busy.port(), "paho5-second");

            MqttException e = catchThrowableOfType(MqttException.class, second::connect);

            assertThat(e).as("the connect failed").isNotNull();
            assertThat(e.getReasonCode()).isEqualTo(0x89);
            assertThat(second.client.isConnected()).isFalse();
            assertThat(first.client.isConnected()).isTrue();
            first.disconnect();
        }
    }

    @Test
    @DisplayName("a Paho client whose session is taken over is told so with DISCONNECT 0x8E")
    void takeover() throws Exception {
        Paho5 first = paho("paho5-same").connect();
        Paho5 second = paho("paho5-same").connect();

        await("the first client was told").atMost(WAIT).until(() -> first.disconnected.get() != null);
        assertThat(first.disconnected.get().getReturnCode()).isEqualTo(0x8E);
        assertThat(first.client.isConnected()).isFalse();
        second.subscribe("interop/paho5/takeover", 1);
        second.publish("interop/paho5/takeover", "second works", 1);
        assertThat(second.awaitReceived(1)).extracting(Arrived::payload).containsExactly("second works");
    }

    @Test
    @DisplayName("SUBACK tells Paho per filter: granted QoS for a good one, 0x8F for one deeper than the broker "
            + "allows")
    void subackReasonCodes() throws Exception {
        Paho5 c = paho("paho5-suback").connect();
        String tooDeep = "interop/" + "x/".repeat(MAX_TOPIC_LEVELS) + "end";

        int[] codes = c.subscribe(new MqttProperties(), new MqttSubscription("interop/paho5/ok", 2),
                new MqttSubscription(tooDeep, 1), new MqttSubscription("interop/paho5/ok1", 1));

        assertThat(codes).containsExactly(2, 0x8F, 1);
    }

    @Test
    @DisplayName("Paho sends topic aliases once CONNACK allows them; the broker resolves them and a HiveMQ "
            + "subscriber gets the full topic every time")
    void topicAliases() throws Exception {
        List<Mqtt5Publish> received = Hive5.subscribe(Hive5.connected(broker, "hive-alias-sub"), "interop/paho5/alias/#");
        try (WireTap tap = WireTap.start(broker.port())) {
            Paho5 pub = new Paho5(broker, tap.port(), "paho5-alias");
            pub.connect();
            for (int i = 0; i < 3; i++) {
                pub.publish("interop/paho5/alias/long/topic/name", "m" + i, 1);
            }
            pub.publish("interop/paho5/alias/other", "other", 1);

            assertThat(Hive5.awaitSize(received, 4)).extracting(p -> p.getTopic().toString() + " " + Hive5.text(p))
                    .containsExactly("interop/paho5/alias/long/topic/name m0", "interop/paho5/alias/long/topic/name m1",
                            "interop/paho5/alias/long/topic/name m2", "interop/paho5/alias/other other");
            assertThat(tap.problems()).isEmpty();
            List<WireTap.Publish> sent = tap.publishes();
            assertThat(sent).hasSize(4);
            assertThat(sent.get(0).topic()).isEqualTo("interop/paho5/alias/long/topic/name");
            assertThat(sent.get(0).topicAlias()).as("the first PUBLISH binds an alias").isNotNull();
            assertThat(sent.subList(1, 3)).as("later ones use it with an empty topic")
                    .containsOnly(new WireTap.Publish("", sent.get(0).topicAlias()));
            assertThat(sent.get(3).topicAlias()).isNotEqualTo(sent.get(0).topicAlias());
        }
    }

    @Test
    @DisplayName("a Paho client back within its session expiry interval finds Session Present and the QoS 1 "
            + "messages a HiveMQ client published meanwhile")
    void sessionResumed() throws Exception {
        Paho5 sub = paho("paho5-resume");
        IMqttToken first = sub.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
        });
        assertThat(first.getSessionPresent()).isFalse();
        sub.subscribe("interop/paho5/resume", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-resume-pub");
        for (int i = 1; i <= 3; i++) {
            pub.publishWith().topic("interop/paho5/resume").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("away " + i).getBytes(StandardCharsets.UTF_8)).send();
        }

        IMqttToken back = sub.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });

        assertThat(back.getSessionPresent()).isTrue();
        assertThat(sub.awaitReceived(3)).extracting(Arrived::payload).containsExactly("away 1", "away 2", "away 3");
    }

    @Test
    @DisplayName("a Paho client back after its session expiry interval gets Session Present 0 and nothing of the "
            + "old session")
    void sessionExpired() throws Exception {
        Paho5 sub = paho("paho5-expire");
        sub.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(1L);
        });
        sub.subscribe("interop/paho5/expire", 1);
        sub.disconnect();
        await("the session expired").atMost(WAIT).until(() -> broker.broker().session("paho5-expire").isEmpty());
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-expire-pub");
        pub.publishWith().topic("interop/paho5/expire").qos(MqttQos.AT_LEAST_ONCE)
                .payload("nobody listens".getBytes(StandardCharsets.UTF_8)).send();

        IMqttToken back = sub.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });

        assertThat(back.getSessionPresent()).isFalse();
        sub.subscribe("interop/paho5/expire", 1);
        pub.publishWith().topic("interop/paho5/expire").qos(MqttQos.AT_LEAST_ONCE)
                .payload("marker".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(sub.awaitReceived(1)).extracting(Arrived::payload).containsExactly("marker");
    }

    @Test
    @DisplayName("the will of a Paho client that drops its connection arrives once its will delay has passed, "
            + "with its properties")
    void willAfterDelay() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/paho5/will/#");
        Paho5 dying = paho("paho5-will");
        MqttProperties willProperties = new MqttProperties();
        willProperties.setWillDelayInterval(1L);
        willProperties.setContentType("text/plain");
        willProperties.setUserProperties(List.of(new UserProperty("reason", "crash")));
        dying.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
            o.setWill("interop/paho5/will/gone", message("paho5 went away", 1));
            o.setWillMessageProperties(willProperties);
        });

        long dropped = System.nanoTime();
        dying.crash();

        Mqtt5Publish will = Hive5.awaitSize(wills, 1).get(0);
        assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(will.getTopic()).hasToString("interop/paho5/will/gone");
        assertThat(Hive5.text(will)).isEqualTo("paho5 went away");
        assertThat(will.getContentType()).hasValueSatisfying(t -> assertThat(t).hasToString("text/plain"));
        assertThat(will.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("reason=crash");
    }

    @Test
    @DisplayName("the will of a Paho client that reconnects within its will delay is not sent")
    void willCancelledByReconnect() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/paho5/will/#");
        Paho5 c = paho("paho5-back");
        MqttProperties willProperties = new MqttProperties();
        willProperties.setWillDelayInterval(2L);
        c.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
            o.setWill("interop/paho5/will/back", message("should not be sent", 1));
            o.setWillMessageProperties(willProperties);
        });
        c.crash();
        // the device comes back as a new client object: reusing the crashed one races with Paho's own clean-up of
        // it (its sender thread's "Socket closed" could end the new connection, seen once in CI)
        Paho5 again = paho("paho5-back");
        IMqttToken back = again.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });
        assertThat(back.getSessionPresent()).isTrue();

        // let the delay pass with the client connected; then a marker, which arrives after any will would have
        long reconnected = System.nanoTime();
        await("the delay has passed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - reconnected > TimeUnit.MILLISECONDS.toNanos(2_500));
        again.publish("interop/paho5/will/marker", "marker", 1);
        assertThat(Hive5.awaitSize(wills, 1)).extracting(p -> p.getTopic().toString())
                .containsExactly("interop/paho5/will/marker");
    }

    @Test
    @DisplayName("request/response: a Paho responder answers a HiveMQ requester on its Response Topic with its "
            + "Correlation Data")
    void requestResponse() throws Exception {
        Paho5 responder = paho("paho5-responder").connect();
        responder.subscribe("interop/paho5/service/time", 1);
        Mqtt5BlockingClient requester = Hive5.connected(broker, "hive-requester");
        List<Mqtt5Publish> replies = Hive5.subscribe(requester, "interop/paho5/replies/hive-requester");

        requester.publishWith().topic("interop/paho5/service/time").qos(MqttQos.AT_LEAST_ONCE)
                .responseTopic("interop/paho5/replies/hive-requester").correlationData(new byte[] {42, 1})
                .payload("what time is it?".getBytes(StandardCharsets.UTF_8)).send();
        Arrived request = responder.awaitReceived(1).get(0);
        MqttMessage reply = message("noon", 1);
        MqttProperties replyProperties = new MqttProperties();
        replyProperties.setCorrelationData(request.properties().getCorrelationData());
        reply.setProperties(replyProperties);
        responder.publish(request.properties().getResponseTopic(), reply);

        Mqtt5Publish got = Hive5.awaitSize(replies, 1).get(0);
        assertThat(Hive5.text(got)).isEqualTo("noon");
        assertThat(got.getCorrelationData()).hasValueSatisfying(d -> assertThat(bytes(d)).containsExactly(42, 1));
    }

    @Test
    @DisplayName("Paho receives the Subscription Identifiers of every subscription a message matched")
    void subscriptionIdentifiers() throws Exception {
        Paho5 sub = paho("paho5-ids").connect();
        // Paho 1.2.5 sends a SUBSCRIBE's identifier from setSubscriptionIdentifier; the list form is not sent
        MqttProperties seven = new MqttProperties();
        seven.setSubscriptionIdentifier(7);
        sub.subscribe(seven, new MqttSubscription("interop/paho5/ids/#", 1));
        MqttProperties nine = new MqttProperties();
        nine.setSubscriptionIdentifier(9);
        sub.subscribe(nine, new MqttSubscription("interop/paho5/ids/+/temp", 1));
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-ids-pub");

        pub.publishWith().topic("interop/paho5/ids/kitchen/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        pub.publishWith().topic("interop/paho5/ids/kitchen").qos(MqttQos.AT_LEAST_ONCE).send();

        List<Arrived> got = sub.awaitReceived(2);
        assertThat(got.get(0).topic()).isEqualTo("interop/paho5/ids/kitchen/temp");
        assertThat(got.get(0).properties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(7, 9);
        assertThat(got.get(1).topic()).isEqualTo("interop/paho5/ids/kitchen");
        assertThat(got.get(1).properties().getSubscriptionIdentifiers()).containsExactly(7);
    }

    @Test
    @DisplayName("No Local: a Paho client's own message does not come back to it; a HiveMQ client's does")
    void noLocal() throws Exception {
        Paho5 c = paho("paho5-nl").connect();
        MqttSubscription s = new MqttSubscription("interop/paho5/nl", 1);
        s.setNoLocal(true);
        c.subscribe(new MqttProperties(), s);
        Mqtt5BlockingClient other = Hive5.connected(broker, "hive-nl");

        c.publish("interop/paho5/nl", "mine", 1);
        other.publishWith().topic("interop/paho5/nl").qos(MqttQos.AT_LEAST_ONCE)
                .payload("theirs".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(c.awaitReceived(1)).extracting(Arrived::payload).containsExactly("theirs");
    }

    @Test
    @DisplayName("Retain As Published: a Paho subscription with it sees a live retained message flagged retained, "
            + "one without it does not")
    void retainAsPublished() throws Exception {
        Paho5 keeps = paho("paho5-rap").connect();
        MqttSubscription rap = new MqttSubscription("interop/paho5/rap", 1);
        rap.setRetainAsPublished(true);
        keeps.subscribe(new MqttProperties(), rap);
        Paho5 plain = paho("paho5-norap").connect();
        plain.subscribe("interop/paho5/rap", 1);
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-rap");

        pub.publishWith().topic("interop/paho5/rap").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("live and kept".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(keeps.awaitReceived(1).get(0).message().isRetained()).isTrue();
        assertThat(plain.awaitReceived(1).get(0).message().isRetained()).isFalse();
    }

    @Test
    @DisplayName("Retain Handling with Paho: 0 sends the retained message at every SUBSCRIBE, 1 only for a new "
            + "subscription, 2 never")
    void retainHandling() throws Exception {
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-rh");
        pub.publishWith().topic("interop/paho5/rh").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("retained".getBytes(StandardCharsets.UTF_8)).send();
        Paho5[] clients = new Paho5[3];
        for (int rh = 0; rh <= 2; rh++) {
            clients[rh] = paho("paho5-rh" + rh).connect();
            for (int times = 0; times < 2; times++) {
                MqttSubscription s = new MqttSubscription("interop/paho5/rh", 1);
                s.setRetainHandling(rh);
                clients[rh].subscribe(new MqttProperties(), s);
            }
        }

        pub.publishWith().topic("interop/paho5/rh").qos(MqttQos.AT_LEAST_ONCE)
                .payload("marker".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(clients[0].awaitReceived(3)).extracting(Arrived::payload)
                .containsExactly("retained", "retained", "marker");
        assertThat(clients[1].awaitReceived(2)).extracting(Arrived::payload).containsExactly("retained", "marker");
        assertThat(clients[2].awaitReceived(1)).extracting(Arrived::payload).containsExactly("marker");
    }

    @Test
    @DisplayName("Paho connecting with an empty client identifier learns the one the broker assigned from CONNACK")
    void assignedClientIdentifier() throws Exception {
        Paho5 c = paho("");

        IMqttToken token = c.connect(o -> o.setCleanStart(true));

        String assigned = token.getResponseProperties().getAssignedClientIdentifier();
        assertThat(assigned).isNotEmpty();
        assertThat(broker.broker().clients()).anyMatch(i -> i.clientId().equals(assigned));
    }

    @Test
    @DisplayName("Paho's DISCONNECT 0x04 (with will message) has the broker publish its will; a plain DISCONNECT "
            + "does not")
    void disconnectWithWillMessage() throws Exception {
        List<Mqtt5Publish> wills = Hive5.subscribe(Hive5.connected(broker, "hive-will-watch"), "interop/paho5/dwill/#");
        Paho5 normal = paho("paho5-normal");
        normal.connect(o -> {
            o.setCleanStart(true);
            o.setWill("interop/paho5/dwill/normal", message("not sent", 1));
        });
        Paho5 asking = paho("paho5-asking");
        asking.connect(o -> {
            o.setCleanStart(true);
            o.setWill("interop/paho5/dwill/asking", message("asked for", 1));
        });

        normal.disconnect();
        asking.client.disconnect(0, null, null, 0x04, new MqttProperties()).waitForCompletion(WAIT.toMillis());

        assertThat(Hive5.awaitSize(wills, 1)).extracting(Mqtt5Publish::getTopic).map(Object::toString)
                .containsExactly("interop/paho5/dwill/asking");
        // a marker after both: the plain disconnect's will would have arrived before it
        paho("paho5-marker").connect().publish("interop/paho5/dwill/marker", "marker", 1);
        assertThat(Hive5.awaitSize(wills, 2)).extracting(p -> p.getTopic().toString())
                .containsExactly("interop/paho5/dwill/asking", "interop/paho5/dwill/marker");
    }

    @Test
    @DisplayName("a Paho PUBLISH whose payload is not the UTF-8 its format indicator claims is answered with "
            + "DISCONNECT 0x99")
    void payloadFormatInvalid() throws Exception {
        Paho5 c = paho("paho5-format").connect();
        MqttMessage m = new MqttMessage(new byte[] {(byte) 0xC3, 0x28});
        m.setQos(0);
        MqttProperties p = new MqttProperties();
        p.setPayloadFormat(true);
        m.setProperties(p);

        c.client.publish("interop/paho5/format", m);

        await("DISCONNECT from the broker").atMost(WAIT).until(() -> c.disconnected.get() != null);
        assertThat(c.disconnected.get().getReturnCode()).isEqualTo(0x99);
    }

    @Test
    @DisplayName("a Paho client's Maximum Packet Size is honoured: a larger message is not sent to it, a smaller "
            + "one after it is")
    void maximumPacketSize() throws Exception {
        Paho5 sub = paho("paho5-small");
        sub.connect(o -> {
            o.setCleanStart(true);
            o.setMaximumPacketSize(256L);
        });
        sub.subscribe("interop/paho5/size/#", 1);
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-size-pub");

        pub.publishWith().topic("interop/paho5/size/big").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1_000]).send();
        pub.publishWith().topic("interop/paho5/size/small").qos(MqttQos.AT_LEAST_ONCE)
                .payload("fits".getBytes(StandardCharsets.UTF_8)).send();

        assertThat(sub.awaitReceived(1)).extracting(Arrived::topic).containsExactly("interop/paho5/size/small");
        assertThat(sub.client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("Paho ends its session at DISCONNECT: Session Expiry Interval 0 there discards a 60-s session")
    void sessionExpiryChangedAtDisconnect() throws Exception {
        Paho5 c = paho("paho5-shorten");
        c.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
        });
        c.subscribe("interop/paho5/shorten", 1);
        MqttProperties p = new MqttProperties();
        p.setSessionExpiryInterval(0L);

        c.client.disconnect(0, null, null, 0, p).waitForCompletion(WAIT.toMillis());

        await("the session ended").atMost(WAIT).until(() -> broker.broker().session("paho5-shorten").isEmpty());
        IMqttToken back = c.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });
        assertThat(back.getSessionPresent()).isFalse();
    }

    @Test
    @DisplayName("a Paho client's Receive Maximum is honoured: with 2 and its acknowledgements held back, 2 "
            + "messages are in flight and the rest wait; acknowledged, all arrive in order")
    void receiveMaximum() throws Exception {
        try (WireTap tap = WireTap.start(broker.port())) {
            Paho5 sub = new Paho5(broker, tap.port(), "paho5-rm");
            sub.client.setManualAcks(true);
            sub.connect(o -> {
                o.setCleanStart(true);
                o.setReceiveMaximum(2);
            });
            sub.subscribe("interop/paho5/rm", 1);
            Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-rm-pub");

            for (int i = 0; i < 10; i++) {
                pub.publishWith().topic("interop/paho5/rm").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            }

            await("two in flight, eight queued").atMost(WAIT).until(() -> broker.broker().session("paho5-rm")
                    .map(s -> s.inflight() == 2 && s.queued() == 8).orElse(false));
            assertThat(sub.received).extracting(Arrived::payload).containsExactly("m0", "m1");
            Set<Integer> acked = new HashSet<>();
            await("all ten, acknowledged as they come").atMost(WAIT).until(() -> {
                for (Arrived a : sub.received) {
                    if (acked.add(a.message().getId())) {
                        sub.client.messageArrivedComplete(a.message().getId(), 1);
                    }
                }
                return acked.size() == 10;
            });
            assertThat(sub.received).extracting(Arrived::payload)
                    .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
            assertThat(tap.maxServerInflight()).isEqualTo(2);
            assertThat(tap.problems()).isEmpty();
            sub.disconnect();
        }
    }

    @Test
    @DisplayName("Paho publishing to more topics than the broker's Topic Alias Maximum: aliases for the first 64, "
            + "full names after, and a HiveMQ subscriber gets every message under its own topic")
    void topicAliasesExhausted() throws Exception {
        List<Mqtt5Publish> received = Hive5.subscribe(Hive5.connected(broker, "hive-many-sub"), "interop/paho5/many/#");
        try (WireTap tap = WireTap.start(broker.port())) {
            Paho5 pub = new Paho5(broker, tap.port(), "paho5-many");
            IMqttToken connack = pub.connect(o -> o.setCleanStart(true));
            int maximum = connack.getResponseProperties().getTopicAliasMaximum();
            int topics = maximum + 16;
            List<String> expected = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int t = 0; t < topics; t++) {
                    pub.publish("interop/paho5/many/" + t, round + "/" + t, 1);
                    expected.add("interop/paho5/many/" + t + " " + round + "/" + t);
                }
            }

            assertThat(Hive5.awaitSize(received, expected.size())).extracting(p -> p.getTopic().toString() + " " + Hive5.text(p))
                    .containsExactlyElementsOf(expected);
            assertThat(tap.publishes().stream().map(WireTap.Publish::topicAlias).filter(a -> a != null).distinct()
                    .count()).isEqualTo(maximum);
            pub.disconnect();
        }
    }

    @Test
    @DisplayName("a Paho client the operator disconnects is told so with DISCONNECT 0x98")
    void disconnectedByOperator() throws Exception {
        Paho5 c = paho("paho5-kicked").connect();

        assertThat(broker.broker().disconnect("paho5-kicked")).isTrue();

        await("the client was told").atMost(WAIT).until(() -> c.disconnected.get() != null);
        assertThat(c.disconnected.get().getReturnCode()).isEqualTo(0x98);
    }

    @Test
    @DisplayName("a message queued for an offline Paho session keeps its Subscription Identifier")
    void subscriptionIdentifierOnQueuedMessage() throws Exception {
        Paho5 sub = paho("paho5-ids-away");
        sub.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
        });
        MqttProperties five = new MqttProperties();
        five.setSubscriptionIdentifier(5);
        sub.subscribe(five, new MqttSubscription("interop/paho5/idsaway/#", 1));
        sub.disconnect();
        Hive5.connected(broker, "hive-ids-away-pub").publishWith().topic("interop/paho5/idsaway/a").qos(MqttQos.AT_LEAST_ONCE).send();

        sub.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });

        Arrived got = sub.awaitReceived(1).get(0);
        assertThat(got.topic()).isEqualTo("interop/paho5/idsaway/a");
        assertThat(got.properties().getSubscriptionIdentifiers()).containsExactly(5);
    }

    @Test
    @DisplayName("a QoS 1 message Paho received but never acknowledged is sent again, with its packet identifier, "
            + "when it resumes its session, even after its expiry interval passed: its delivery had started")
    void unacknowledgedResentAfterExpiry() throws Exception {
        Paho5 sub = paho("paho5-unacked");
        sub.client.setManualAcks(true);
        sub.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(60L);
        });
        sub.subscribe("interop/paho5/unacked", 1);
        Hive5.connected(broker, "hive-unacked-pub").publishWith().topic("interop/paho5/unacked").qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(1).payload("started".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(sub.awaitReceived(1)).extracting(Arrived::payload).containsExactly("started");
        sub.crash();
        long dropped = System.nanoTime();
        // the interval is the behaviour under test: let it pass while the delivery is unacknowledged
        await("the interval has passed").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - dropped > TimeUnit.MILLISECONDS.toNanos(1_500));

        sub.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        });

        // the broker sets DUP on the resent PUBLISH, but Paho mqttv5 1.2.5 does not pass the flag on to the message
        List<Arrived> got = sub.awaitReceived(2);
        assertThat(got.get(1).payload()).isEqualTo("started");
        assertThat(got.get(1).message().getId()).as("the original packet identifier")
                .isEqualTo(got.get(0).message().getId());
    }

    @Test
    @DisplayName("UNSUBACK tells Paho per filter whether a subscription existed (0x00) or not (0x11); the removed "
            + "one delivers no more")
    void unsubackReasonCodes() throws Exception {
        Paho5 c = paho("paho5-unsub").connect();
        c.subscribe(new MqttProperties(), new MqttSubscription("interop/paho5/unsub/a", 1),
                new MqttSubscription("interop/paho5/unsub/b", 1));

        IMqttToken token = c.client.unsubscribe(new String[] {"interop/paho5/unsub/a", "interop/paho5/unsub/never"});
        token.waitForCompletion(WAIT.toMillis());

        assertThat(token.getReasonCodes()).containsExactly(0x00, 0x11);
        Mqtt5BlockingClient pub = Hive5.connected(broker, "hive-unsub-pub");
        pub.publishWith().topic("interop/paho5/unsub/a").qos(MqttQos.AT_LEAST_ONCE).send();
        pub.publishWith().topic("interop/paho5/unsub/b").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(c.awaitReceived(1)).extracting(Arrived::topic).containsExactly("interop/paho5/unsub/b");
    }
}
