package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 acknowledgements: reason codes on PUBACK, PUBREC, PUBREL and PUBCOMP both ways (MQTT 5.0 §3.4-§3.7,
 * §4.3), and the server's Receive Maximum enforced on incoming QoS 2 (§3.3.4, §4.9). Raw packets, to see the
 * exact acknowledgement bytes. See docs/mqtt5.md.
 */
class Acks5ConformanceTest {

    private static final int RECEIVE_MAXIMUM = 3;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.receiveMaximum(RECEIVE_MAXIMUM));

    private RawMqttClient client5(String clientId, long expiry, boolean cleanStart) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).cleanSession(cleanStart)
                .mqtt5(expiry > 0 ? new byte[][] {Packets.property(0x11, Packets.u32(expiry))} : new byte[0][])
                .build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    private static byte[] publish(String topic, int qos, int packetId) {
        // MQTT 5 PUBLISH: topic, packet id, an empty property block, payload
        return Packets.frame(0x30 | qos << 1, Wire.concat(Wire.utf8(topic), Wire.u16(packetId), new byte[] {0},
                "x".getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads an acknowledgement of {@code type} for {@code packetId}, in the short or the MQTT 5 long form. */
    private static RawPacket expectAck5(RawMqttClient c, int type, int packetId) {
        RawPacket p = c.expect(type);
        assertThat(p.packetId()).as("packet id of %s", p).isEqualTo(packetId);
        return p;
    }

    private Mqtt5BlockingClient publisher() {
        Mqtt5BlockingClient p = Hive5.client(broker, "acks-publisher");
        p.connectWith().cleanStart(true).send();
        return p;
    }

    @Test
    @Tag("MQTT-3.4.2-1")
    @Tag("MQTT-3.5.2-1")
    @Tag("MQTT-3.7.2-1")
    @DisplayName("[MQTT-3.4.2-1] [MQTT-3.5.2-1] [MQTT-3.7.2-1] PUBACK and PUBREC say 0x10 when no subscriber "
            + "matched and 0x00 when one did; PUBCOMP answers a known PUBREL with 0x00")
    void noMatchingSubscribers() {
        RawMqttClient c = client5("acks-nomatch", 0, true);
        c.send(publish("nobody/listens", 1, 1));
        assertThat(expectAck5(c, Packets.PUBACK, 1).body()).containsExactly(0, 1, 0x10);
        c.send(publish("nobody/listens", 2, 2));
        assertThat(expectAck5(c, Packets.PUBREC, 2).body()).containsExactly(0, 2, 0x10);
        c.send(Packets.pubrel(2));
        assertThat(expectAck5(c, Packets.PUBCOMP, 2).body()).containsExactly(0, 2);

        c.send(Raw5.subscribe(3, "somebody/#", 0));
        c.expect(Packets.SUBACK);
        c.send(publish("somebody/listens", 1, 4));
        RawPacket self = c.expect(Packets.PUBLISH); // the client's own subscription matched
        assertThat(Raw5.publish(self).topic()).isEqualTo("somebody/listens");
        assertThat(expectAck5(c, Packets.PUBACK, 4).body()).containsExactly(0, 4);
    }

    @Test
    @Tag("MQTT-3.7.2-1")
    @Tag("MQTT-3.6.2-1")
    @DisplayName("[MQTT-3.7.2-1] [MQTT-3.6.2-1] a PUBREL or PUBREC for a packet id the server does not hold is "
            + "answered with reason 0x92 (Packet Identifier not found)")
    void packetIdentifierNotFound() {
        RawMqttClient c = client5("acks-unknown", 0, true);
        c.send(Packets.pubrel(77));
        assertThat(expectAck5(c, Packets.PUBCOMP, 77).body()).containsExactly(0, 77, 0x92);
        c.send(Packets.pubrec(78));
        assertThat(expectAck5(c, Packets.PUBREL, 78).body()).containsExactly(0, 78, 0x92);
    }

    @Test
    @Tag("MQTT-4.4.0-2")
    @Tag("MQTT-4.3.3-4")
    @DisplayName("[MQTT-4.4.0-2] [MQTT-4.3.3-4] a PUBACK or PUBREC with reason 0x80 or more ends the flow: no "
            + "PUBREL follows and the message is not sent again when the session resumes")
    void failedAcknowledgementEndsTheFlow() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient c = client5("acks-failing", 300, true);
        c.send(Raw5.subscribe(1, "work/#", 2));
        c.expect(Packets.SUBACK);
        publisher.publishWith().topic("work/a").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
        publisher.publishWith().topic("work/b").qos(MqttQos.EXACTLY_ONCE).payload(new byte[] {2}).send();
        Raw5.Publish a = Raw5.expectPublish(c);
        Raw5.Publish b = Raw5.expectPublish(c);
        assertThat(a.topic() + b.topic()).isEqualTo("work/awork/b");
        c.send(Raw5.ack(0x40, a.packetId(), 0x80), Raw5.ack(0x50, b.packetId(), 0x87));
        publisher.publishWith().topic("work/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        Raw5.Publish marker = Raw5.expectPublish(c); // no PUBREL came for work/b
        assertThat(marker.topic()).isEqualTo("work/marker");
        c.ping(); // the failed acknowledgements are processed before the connection is reset
        c.abort();

        RawMqttClient again = client5("acks-failing", 300, false);
        Raw5.Publish resent = Raw5.expectPublish(again); // only the unacknowledged marker is sent again
        assertThat(resent.topic()).isEqualTo("work/marker");
        assertThat(resent.dup()).isTrue();
        again.send(Packets.puback(resent.packetId()));
        publisher.publishWith().topic("work/next").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(Raw5.expectPublish(again).topic()).isEqualTo("work/next");
    }

    @Test
    @DisplayName("CONNACK announces the configured Receive Maximum")
    void receiveMaximumAnnounced() {
        Mqtt5ConnAck connack = Hive5.client(broker, "acks-announce").connectWith().cleanStart(true).send();
        assertThat(connack.getRestrictions().getReceiveMaximum()).isEqualTo(RECEIVE_MAXIMUM);
    }

    @Test
    @DisplayName("one QoS 2 PUBLISH more than the Receive Maximum awaiting PUBREL closes with DISCONNECT 0x93; a "
            + "re-sent PUBLISH of a held id and one after a PUBREL are within it")
    void receiveMaximumEnforced() {
        RawMqttClient c = client5("acks-flood", 0, true);
        for (int id = 1; id <= RECEIVE_MAXIMUM; id++) {
            c.send(publish("flood", 2, id));
            expectAck5(c, Packets.PUBREC, id);
        }
        c.send(publish("flood", 2, 1)); // a duplicate of a held id does not count again
        expectAck5(c, Packets.PUBREC, 1);
        c.send(Packets.pubrel(1));
        expectAck5(c, Packets.PUBCOMP, 1);
        c.send(publish("flood", 2, 10)); // room again
        expectAck5(c, Packets.PUBREC, 10);
        c.send(publish("flood", 1, 11)); // QoS 1 is acknowledged at once and never held
        expectAck5(c, Packets.PUBACK, 11);

        c.send(publish("flood", 2, 12));
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).isEqualTo(0x93);
        c.expectClosed();
    }
}
