package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.ClientInfo;
import io.cairn.api.broker.SessionInfo;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 3.1.1 §3.1.2.4 clean session, §3.2.2.2 session present, §4.1 session state and §4.4 message delivery
 * retry, and session takeover (§3.1.4).
 */
class SessionConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.1.2-4")
    @Tag("MQTT-3.2.2-2")
    @Tag("MQTT-3.2.2-3")
    @Tag("MQTT-3.1.3-2")
    @Tag("MQTT-4.1.0-1")
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.2.2-3] [MQTT-3.2.2-2] [MQTT-3.1.3-2] [MQTT-4.1.0-1] a persistent session "
            + "is created (session present 0), kept after disconnect and resumed (session present 1) with its "
            + "subscriptions")
    void persistentSessionIsResumed() {
        RawMqttClient first = broker.rawClient("first");
        RawPacket.Connack ack = first.connect(Packets.connect("sess-resume").cleanSession(false));
        assertThat(ack.returnCode()).isZero();
        assertThat(ack.sessionPresent()).as("no session existed").isFalse();
        first.subscribe("s/resume", 1);
        first.disconnect();

        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("sess-resume"))
                .hasValueSatisfying(s -> {
                    assertThat(s.connected()).isFalse();
                    assertThat(s.persistent()).isTrue();
                    assertThat(s.subscriptions()).containsExactly(Subscription.of("s/resume", QoS.AT_LEAST_ONCE));
                }));

        RawMqttClient second = broker.rawClient("second");
        ack = second.connect(Packets.connect("sess-resume").cleanSession(false));
        assertThat(ack.returnCode()).isZero();
        assertThat(ack.sessionPresent()).as("the session was stored").isTrue();
        broker.connect("sess-resume-pub").publish("s/resume", 1, "no resubscribe needed");
        assertThat(second.receiveAndAcknowledge().payloadText()).isEqualTo("no resubscribe needed");
    }

    @Test
    @Tag("MQTT-3.1.2-5")
    @Tag("MQTT-4.5.0-1")
    @Tag("MQTT-3.2.0-1")
    @DisplayName("[MQTT-3.1.2-5] [MQTT-4.5.0-1] [MQTT-3.2.0-1] QoS 1 and 2 messages published while a persistent "
            + "session is offline are queued and delivered, in order, after the CONNACK")
    void offlineMessagesAreQueued() {
        RawMqttClient sub = broker.connect(Packets.connect("sess-offline").cleanSession(false), "sub");
        sub.subscribe("s/offline/#", 2);
        sub.disconnect();
        awaitDisconnected("sess-offline");

        RawMqttClient pub = broker.connect("sess-offline-pub");
        pub.publish("s/offline/a", 1, "one");
        pub.publish("s/offline/b", 2, "two");
        pub.publish("s/offline/a", 1, "three");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("sess-offline"))
                .hasValueSatisfying(s -> assertThat(s.queued() + s.inflight()).isEqualTo(3)));

        RawMqttClient back = broker.rawClient("back");
        back.send(Packets.connect("sess-offline").cleanSession(false).build());
        RawPacket first = back.receive();
        assertThat(first.type()).as("the first packet the server sends is CONNACK").isEqualTo(Packets.CONNACK);
        assertThat(first.connack().sessionPresent()).isTrue();
        RawPacket.Publish one = back.receiveAndAcknowledge();
        RawPacket.Publish two = back.receiveAndAcknowledge();
        RawPacket.Publish three = back.receiveAndAcknowledge();
        assertThat(one.payloadText() + one.qos()).isEqualTo("one1");
        assertThat(two.payloadText() + two.qos()).isEqualTo("two2");
        assertThat(three.payloadText() + three.qos()).isEqualTo("three1");
    }

    @Test
    @Tag("MQTT-3.1.2-6")
    @Tag("MQTT-3.2.2-1")
    @Tag("MQTT-4.1.0-2")
    @DisplayName("[MQTT-3.1.2-6] [MQTT-3.2.2-1] a clean session discards the stored session: no subscriptions, no "
            + "queued messages, session present 0, and nothing is kept after it")
    void cleanSessionDiscardsTheStoredSession() {
        RawMqttClient sub = broker.connect(Packets.connect("sess-clean").cleanSession(false), "sub");
        sub.subscribe("s/clean", 1);
        sub.disconnect();
        awaitDisconnected("sess-clean");
        broker.connect("sess-clean-pub").publish("s/clean", 1, "queued for the old session");

        RawMqttClient clean = broker.rawClient("clean");
        RawPacket.Connack ack = clean.connect(Packets.connect("sess-clean").cleanSession(true));
        assertThat(ack.returnCode()).isZero();
        assertThat(ack.sessionPresent()).isFalse();
        clean.subscribe("s/clean/marker", 0);
        broker.connect("sess-clean-pub2").publish("s/clean", 1, "old subscription is gone")
                .publish("s/clean/marker", 0, "marker");
        assertThat(clean.expectPublish().payloadText()).as("neither the queued message nor the old subscription")
                .isEqualTo("marker");

        clean.disconnect();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().session("sess-clean")).isEmpty());
        RawPacket.Connack later = broker.rawClient("later").connect(Packets.connect("sess-clean").cleanSession(false));
        assertThat(later.sessionPresent()).as("the clean session's state is never reused").isFalse();
    }

    @Test
    @Tag("MQTT-4.1.0-2")
    @Tag("MQTT-3.1.2-6")
    @DisplayName("[MQTT-4.1.0-2] [MQTT-3.1.2-6] a clean session lasts as long as its connection")
    void cleanSessionLastsAsLongAsTheConnection() {
        RawMqttClient c = broker.connect("sess-transient").subscribe("s/transient", 0);
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("sess-transient"))
                .hasValueSatisfying(s -> {
                    assertThat(s.connected()).isTrue();
                    assertThat(s.persistent()).isFalse();
                }));
        c.abort();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().session("sess-transient")).isEmpty());
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-3.3.1-1")
    @Tag("MQTT-4.3.2-1")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] [MQTT-4.3.2-1] an unacknowledged QoS 1 delivery is resent on "
            + "reconnect with DUP 1 and its original packet identifier")
    void unacknowledgedQos1IsResentWithDup() {
        RawMqttClient sub = broker.connect(Packets.connect("sess-retry1").cleanSession(false), "sub");
        sub.subscribe("s/retry1", 1);
        broker.connect("sess-retry1-pub").publish("s/retry1", 1, "ack me");
        RawPacket.Publish original = sub.expectPublish();
        assertThat(original.dup()).isFalse();
        sub.abort();                                        // no PUBACK
        awaitDisconnected("sess-retry1");

        RawMqttClient back = broker.rawClient("back");
        assertThat(back.connect(Packets.connect("sess-retry1").cleanSession(false)).sessionPresent()).isTrue();
        RawPacket.Publish resent = back.expectPublish();
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(resent.qos()).isEqualTo(1);
        assertThat(resent.payloadText()).isEqualTo("ack me");
        back.acknowledge(resent);

        broker.connect("sess-retry1-pub2").publish("s/retry1", 1, "marker");
        assertThat(back.receiveAndAcknowledge().payloadText()).as("acknowledged: not resent again")
                .isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-3.3.1-1")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] a QoS 2 delivery without PUBREC is resent on reconnect with DUP 1 "
            + "and its original packet identifier")
    void unacknowledgedQos2IsResentWithDup() {
        RawMqttClient sub = broker.connect(Packets.connect("sess-retry2").cleanSession(false), "sub");
        sub.subscribe("s/retry2", 2);
        broker.connect("sess-retry2-pub").publish("s/retry2", 2, "exactly once");
        RawPacket.Publish original = sub.expectPublish();
        sub.abort();                                        // no PUBREC
        awaitDisconnected("sess-retry2");

        RawMqttClient back = broker.rawClient("back");
        assertThat(back.connect(Packets.connect("sess-retry2").cleanSession(false)).sessionPresent()).isTrue();
        RawPacket.Publish resent = back.expectPublish();
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(resent.qos()).isEqualTo(2);
        back.acknowledge(resent);
        back.ping();
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-4.3.3-1")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-1] after PUBREC, a reconnect resends the PUBREL, not the PUBLISH")
    void pubrelIsResentOnReconnect() {
        RawMqttClient sub = broker.connect(Packets.connect("sess-rel").cleanSession(false), "sub");
        sub.subscribe("s/rel", 2);
        broker.connect("sess-rel-pub").publish("s/rel", 2, "m");
        RawPacket.Publish p = sub.expectPublish();
        sub.send(Packets.pubrec(p.packetId()));
        sub.expectAck(Packets.PUBREL, p.packetId());
        sub.abort();                                        // no PUBCOMP
        awaitDisconnected("sess-rel");

        RawMqttClient back = broker.rawClient("back");
        assertThat(back.connect(Packets.connect("sess-rel").cleanSession(false)).sessionPresent()).isTrue();
        back.expectAck(Packets.PUBREL, p.packetId());
        back.send(Packets.pubcomp(p.packetId()));

        broker.connect("sess-rel-pub2").publish("s/rel", 0, "marker");
        assertThat(back.expectPublish().payloadText()).as("no PUBLISH resent after PUBREL").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @Tag("MQTT-4.4.0-1")
    @DisplayName("[MQTT-4.3.3-2] [MQTT-4.4.0-1] a publisher reconnecting before PUBREL resends its QoS 2 PUBLISH "
            + "with DUP; it is acknowledged again and delivered once")
    void inboundQos2StateSurvivesReconnect() {
        RawMqttClient sub = broker.connect("sess-in2-sub").subscribe("s/in2", 2);
        RawMqttClient pub = broker.connect(Packets.connect("sess-in2").cleanSession(false), "pub");
        pub.send(Packets.publish("s/in2", 2, "only once").packetId(5).build());
        pub.expectAck(Packets.PUBREC, 5);
        pub.abort();                                        // no PUBREL
        awaitDisconnected("sess-in2");

        RawMqttClient back = broker.rawClient("back");
        assertThat(back.connect(Packets.connect("sess-in2").cleanSession(false)).sessionPresent()).isTrue();
        back.send(Packets.publish("s/in2", 2, "only once").packetId(5).dup(true).build());
        back.expectAck(Packets.PUBREC, 5);
        back.send(Packets.pubrel(5));
        back.expectAck(Packets.PUBCOMP, 5);

        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("only once");
        back.publish("s/in2", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).as("delivered exactly once").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.4-2")
    @DisplayName("[MQTT-3.1.4-2] a second connection with the same client identifier takes over: the first is closed")
    void takeoverClosesTheFirstConnection() {
        RawMqttClient first = broker.connect("sess-takeover");
        RawMqttClient second = broker.connect("sess-takeover");

        first.expectClosed();
        second.subscribe("s/takeover", 0);
        second.publish("s/takeover", 0, "still works");
        assertThat(second.expectPublish().payloadText()).isEqualTo("still works");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .filteredOn(c -> c.clientId().equals("sess-takeover")).hasSize(1));
    }

    @Test
    @Tag("MQTT-3.1.4-2")
    @Tag("MQTT-3.2.2-2")
    @DisplayName("[MQTT-3.1.4-2] [MQTT-3.2.2-2] a takeover of a persistent session keeps it: session present 1 and "
            + "the subscriptions carry over")
    void takeoverKeepsThePersistentSession() {
        RawMqttClient first = broker.connect(Packets.connect("sess-take2").cleanSession(false), "first");
        first.subscribe("s/take2", 1);

        RawMqttClient second = broker.rawClient("second");
        RawPacket.Connack ack = second.connect(Packets.connect("sess-take2").cleanSession(false));
        assertThat(ack.returnCode()).isZero();
        assertThat(ack.sessionPresent()).isTrue();
        first.expectClosed();

        broker.connect("sess-take2-pub").publish("s/take2", 1, "to the new connection");
        assertThat(second.receiveAndAcknowledge().payloadText()).isEqualTo("to the new connection");
    }

    @Test
    @Tag("MQTT-3.1.2-4")
    @DisplayName("[MQTT-3.1.2-4] the broker lists a persistent session while its client is offline, with the "
            + "messages queued for it")
    void offlineSessionIsListed() {
        broker.connect(Packets.connect("sess-listed").cleanSession(false), "c").subscribe("s/listed", 1).disconnect();
        awaitDisconnected("sess-listed");
        broker.connect("sess-listed-pub").publish("s/listed", 1, "waiting");

        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> {
            SessionInfo s = broker.broker().session("sess-listed").orElseThrow();
            assertThat(s.connected()).isFalse();
            assertThat(s.queued() + s.inflight()).isEqualTo(1);
            assertThat(broker.broker().sessions()).extracting(SessionInfo::clientId).contains("sess-listed");
        });
    }

    private void awaitDisconnected(String clientId) {
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .extracting(ClientInfo::clientId).doesNotContain(clientId));
    }
}
