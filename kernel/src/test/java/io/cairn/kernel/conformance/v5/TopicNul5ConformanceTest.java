package io.cairn.kernel.conformance.v5;

import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** U+0000 in a topic name makes a PUBLISH malformed (MQTT 5.0 §1.5.4): DISCONNECT 0x81. */
class TopicNul5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-1.5.4-2")
    @DisplayName("[MQTT-1.5.4-2] a PUBLISH whose topic name holds U+0000 is malformed: DISCONNECT 0x81, then the close")
    void nulInTopicName() {
        RawMqttClient c = ConfA5.client(broker, "nul-topic", true);
        c.send(ConfA5.publish(Wire.lengthPrefixed(Wire.bytes('a', 0x00, 'b')), 0, false, 0, ConfA5.props(),
                new byte[] {1}));
        ConfA5.expectDisconnect(c, 0x81);
    }
}
