package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The protocol name of an MQTT 5 CONNECT (MQTT 5.0 §3.1.2.1): a wrong one is refused in the MQTT 5 form. */
class ProtocolName5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.1.2-1")
    @DisplayName("[MQTT-3.1.2-1] a version-5 CONNECT with a wrong protocol name gets an MQTT 5 CONNACK 0x84 "
            + "(Unsupported Protocol Version), then the close")
    void wrongProtocolName() {
        RawMqttClient c = broker.rawClient("strict-name");
        c.send(Packets.connect("strict-name").mqtt5().protocolName("MQTX").build());
        RawPacket p = c.expect(Packets.CONNACK);
        assertThat(p.body().length).as("an MQTT 5 CONNACK has a property length").isGreaterThanOrEqualTo(3);
        assertThat(p.body()[1] & 0xFF).isEqualTo(0x84);
        c.expectClosed();
    }
}
