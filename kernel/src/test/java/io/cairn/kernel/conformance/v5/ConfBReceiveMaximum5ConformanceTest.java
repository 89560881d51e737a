package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectAck;
import static io.cairn.kernel.testsupport.ConfB5.expectDisconnect;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client's send quota towards the server's Receive Maximum (MQTT 5.0 §4.9), from the server's side: the
 * server announces a non-zero Receive Maximum, takes that many unreleased QoS 2 messages, and refuses one more
 * with DISCONNECT 0x93 (the client broke MQTT-4.9.0-2).
 */
class ConfBReceiveMaximum5ConformanceTest {

    private static final int RECEIVE_MAXIMUM = 2;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.receiveMaximum(RECEIVE_MAXIMUM));

    /** The value of the Receive Maximum property (0x21) in an MQTT 5 CONNACK, or -1 if absent. */
    private static int receiveMaximum(RawPacket connack) {
        byte[] b = connack.body();
        int at = 2; // flags, reason code
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at++] & 0xFF;
            length |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                break;
            }
        }
        byte[] properties = Arrays.copyOfRange(b, at, at + length);
        return ConfB5.properties(properties).stream().filter(p -> p.id() == 0x21)
                .mapToInt(ConfB5.Property::intValue).findFirst().orElse(-1);
    }

    @Test
    @Tag("MQTT-4.9.0-1")
    @Tag("MQTT-4.9.0-2")
    @DisplayName("[MQTT-4.9.0-1] [MQTT-4.9.0-2] the server announces a non-zero Receive Maximum, takes that many "
            + "QoS 2 messages awaiting PUBREL, and refuses one more with DISCONNECT 0x93 without routing it")
    void serverReceiveMaximum() {
        RawMqttClient sub = ConfB5.connect(broker, "b-rm-sub");
        assertThat(ConfB5.subscribe(sub, 1, "rm/#", 0)).containsExactly(0);
        RawMqttClient c = broker.rawClient("b-rm");
        c.send(Packets.connect("b-rm").mqtt5().build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1]).as("CONNACK reason").isZero();
        assertThat(receiveMaximum(connack)).as("announced Receive Maximum").isEqualTo(RECEIVE_MAXIMUM);

        for (int id = 1; id <= RECEIVE_MAXIMUM; id++) {
            c.send(ConfB5.publish("rm/held", 2, id, "held " + id));
            expectAck(c, Packets.PUBREC, id);
        }
        c.send(ConfB5.publish("rm/qos1", 1, 10, "QoS 1 is acknowledged at once")); // does not use the quota
        expectAck(c, Packets.PUBACK, 10);
        c.send(ConfB5.publish("rm/over", 2, 11, "one too many"));
        expectDisconnect(c, 0x93);

        ConfB5.publishAndComplete(ConfB5.connect(broker, "b-rm-marker"), ConfB5.publish("rm/marker", 0, 0, "m"),
                0, 0);
        StringBuilder topics = new StringBuilder();
        for (Raw5.Publish p : ConfB5.until(sub, "rm/marker")) {
            topics.append(p.topic()).append(' ');
        }
        assertThat(topics.toString()).as("routed before the marker").isEqualTo("rm/held rm/held rm/qos1 ");
    }
}
