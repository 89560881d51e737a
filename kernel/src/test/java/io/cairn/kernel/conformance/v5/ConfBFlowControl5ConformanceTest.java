package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectAck;
import static io.cairn.kernel.testsupport.ConfB5.receiveMaximum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.SessionInfo;
import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's send quota towards a client's Receive Maximum (MQTT 5.0 §4.9, §3.3.4): how many QoS 1 and QoS 2
 * messages are in flight, when the quota comes back, and that everything else goes on while it is zero. Raw
 * packets, to hold acknowledgements back. Cairn queues a QoS 0 message behind held ones (the order of §4.6), so
 * the marker that shows nothing more was sent is the session's count of held messages in the broker's API,
 * followed by a PINGREQ whose PINGRESP must be the next packet.
 */
class ConfBFlowControl5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest().configure(c -> c.maxInflight(100));

    private RawMqttClient subscriber(String clientId, int receiveMaximum, String filter, int qos) {
        RawMqttClient c = ConfB5.connect(broker, clientId, receiveMaximum(receiveMaximum));
        assertThat(ConfB5.subscribe(c, 1, filter, qos)).containsExactly(qos);
        return c;
    }

    private static void publish(RawMqttClient c, String topic, int qos, String payload) {
        int id = qos > 0 ? c.nextPacketId() : 0;
        ConfB5.publishAndComplete(c, ConfB5.publish(topic, qos, id, payload), qos, id);
    }

    /**
     * Waits until the broker accounts for {@code total} outgoing messages of {@code clientId}'s session (routing
     * is done), then asserts how many of them are in flight; a PINGREQ then shows that the client received no
     * PUBLISH beyond those it already read: its PINGRESP comes first.
     */
    private void expectHeld(RawMqttClient c, String clientId, int inflight, int queued) {
        await("%s: %d in flight and %d queued".formatted(clientId, inflight, queued))
                .atMost(RawMqttClient.TIMEOUT).until(() -> broker.broker().session(clientId)
                        .map(s -> s.inflight() + s.queued()).orElse(-1) == inflight + queued);
        SessionInfo s = broker.broker().session(clientId).orElseThrow();
        assertThat(s.inflight()).as("%s: messages in flight", clientId).isEqualTo(inflight);
        assertThat(s.queued()).as("%s: messages held back", clientId).isEqualTo(queued);
        c.send(Packets.pingreq());
        assertThat(c.receive().type()).as("%s: next packet", clientId).isEqualTo(Packets.PINGRESP);
    }

    @Test
    @Tag("MQTT-4.9.0-1")
    @Tag("MQTT-4.9.0-2")
    @DisplayName("[MQTT-4.9.0-1] [MQTT-4.9.0-2] with Receive Maximum 2, two QoS 1 messages go out at once and no "
            + "third before a PUBACK; each PUBACK lets exactly one more go, in order")
    void qos1SendQuota() {
        RawMqttClient sub = subscriber("b-quota1-sub", 2, "quota1/#", 1);
        RawMqttClient pub = ConfB5.connect(broker, "b-quota1-pub");
        for (int i = 0; i < 5; i++) {
            publish(pub, "quota1/m", 1, "m" + i);
        }

        Raw5.Publish m0 = Raw5.expectPublish(sub);
        Raw5.Publish m1 = Raw5.expectPublish(sub);
        assertThat(List.of(m0.payloadText(), m1.payloadText())).containsExactly("m0", "m1");
        expectHeld(sub, "b-quota1-sub", 2, 3);
        sub.send(Packets.puback(m0.packetId()));
        Raw5.Publish m2 = Raw5.expectPublish(sub);
        assertThat(m2.payloadText()).isEqualTo("m2");
        expectHeld(sub, "b-quota1-sub", 2, 2);

        sub.send(Packets.puback(m1.packetId()), Packets.puback(m2.packetId()));
        Raw5.Publish m3 = Raw5.expectPublish(sub);
        Raw5.Publish m4 = Raw5.expectPublish(sub);
        assertThat(List.of(m3.payloadText(), m4.payloadText())).containsExactly("m3", "m4");
        sub.send(Packets.puback(m3.packetId()), Packets.puback(m4.packetId()));
        expectHeld(sub, "b-quota1-sub", 0, 0);
    }

    @Test
    @Tag("MQTT-4.9.0-2")
    @DisplayName("[MQTT-4.9.0-2] with Receive Maximum 1, a QoS 2 message holds the quota through PUBREC and PUBREL "
            + "until PUBCOMP; a PUBREC of 0x80 or more gives it back as well")
    void qos2SendQuota() {
        RawMqttClient sub = subscriber("b-quota2-sub", 1, "quota2/#", 2);
        RawMqttClient pub = ConfB5.connect(broker, "b-quota2-pub");
        for (int i = 0; i < 3; i++) {
            publish(pub, "quota2/m", 2, "m" + i);
        }
        Raw5.Publish m0 = Raw5.expectPublish(sub);
        assertThat(m0.payloadText()).isEqualTo("m0");
        expectHeld(sub, "b-quota2-sub", 1, 2);
        sub.send(Packets.pubrec(m0.packetId()));
        expectAck(sub, Packets.PUBREL, m0.packetId());
        expectHeld(sub, "b-quota2-sub", 1, 2);

        sub.send(Packets.pubcomp(m0.packetId()));
        Raw5.Publish m1 = Raw5.expectPublish(sub);
        assertThat(m1.payloadText()).isEqualTo("m1");
        sub.send(Raw5.ack(0x50, m1.packetId(), 0x80)); // refused: the flow ends without PUBREL
        Raw5.Publish m2 = Raw5.expectPublish(sub);
        assertThat(m2.payloadText()).as("the refused message gave its quota back").isEqualTo("m2");
        ConfB5.acknowledge(sub, m2);
        expectHeld(sub, "b-quota2-sub", 0, 0);
    }

    @Test
    @Tag("MQTT-4.9.0-3")
    @Tag("MQTT-3.3.4-10")
    @DisplayName("[MQTT-4.9.0-3] [MQTT-3.3.4-10] while the send quota is zero, the server still answers PINGREQ, "
            + "SUBSCRIBE, UNSUBSCRIBE, the client's own QoS 1 and QoS 2 PUBLISH, PUBREL and PUBREC")
    void otherPacketsWhileQuotaIsZero() {
        RawMqttClient sub = subscriber("b-zero-sub", 1, "zero/held/#", 1);
        RawMqttClient pub = ConfB5.connect(broker, "b-zero-pub");
        publish(pub, "zero/held/a", 1, "a");
        publish(pub, "zero/held/b", 1, "b");
        Raw5.Publish a = Raw5.expectPublish(sub);
        assertThat(a.topic()).isEqualTo("zero/held/a");
        expectHeld(sub, "b-zero-sub", 1, 1); // the quota is zero: b is held

        assertThat(ConfB5.subscribe(sub, 2, "zero/other", 0)).containsExactly(0);
        sub.send(Raw5.unsubscribe(3, "zero/other"));
        assertThat(sub.expect(Packets.UNSUBACK).packetId()).isEqualTo(3);
        sub.send(ConfB5.publish("zero/out", 1, 40, "own QoS 1"));
        expectAck(sub, Packets.PUBACK, 40);
        sub.send(ConfB5.publish("zero/out", 2, 41, "own QoS 2"));
        expectAck(sub, Packets.PUBREC, 41);
        sub.send(Packets.pubrel(41));
        expectAck(sub, Packets.PUBCOMP, 41);
        sub.send(Packets.pubrec(999));
        assertThat(expectAck(sub, Packets.PUBREL, 999)).as("unknown identifier").isEqualTo(0x92);
        expectHeld(sub, "b-zero-sub", 1, 1);

        sub.send(Packets.puback(a.packetId()));
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("zero/held/b");
    }

    @Test
    @Tag("MQTT-4.9.0-1")
    @DisplayName("[MQTT-4.9.0-1] without a Receive Maximum the quota is 65535: more QoS 1 messages than any small "
            + "limit are in flight at once, up to the server's own in-flight limit")
    void defaultReceiveMaximum() {
        RawMqttClient sub = ConfB5.connect(broker, "b-default-sub");
        assertThat(ConfB5.subscribe(sub, 1, "dflt/#", 1)).containsExactly(1);
        RawMqttClient pub = ConfB5.connect(broker, "b-default-pub");
        for (int i = 0; i < 50; i++) {
            publish(pub, "dflt/m", 1, "m" + i);
        }
        publish(pub, "dflt/marker", 0, "marker");

        List<Raw5.Publish> inFlight = ConfB5.until(sub, "dflt/marker");
        assertThat(inFlight).hasSize(50);
        inFlight.forEach(p -> sub.send(Packets.puback(p.packetId())));
        sub.ping();
    }
}
