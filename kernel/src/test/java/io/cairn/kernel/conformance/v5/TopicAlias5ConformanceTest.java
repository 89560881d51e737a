package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Wire.u16;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topic aliases from client to server (MQTT 5.0 §3.3.2.3.4), with raw packets. Slice 6 of docs/mqtt5-plan.md.
 */
class TopicAlias5ConformanceTest {

    private static final int TOPIC_ALIAS_INVALID = 0x94;
    private static final int PROTOCOL_ERROR = 0x82;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient connect5(String clientId) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5().build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    /** A QoS 0 MQTT 5 PUBLISH with a Topic Alias property (and an empty topic if {@code topic} is empty). */
    private static byte[] publish(String topic, int alias, String payload) {
        return Packets.frame(0x30, Wire.concat(Wire.lengthPrefixed(topic.getBytes(StandardCharsets.UTF_8)),
                new byte[] {3, 0x23}, u16(alias), payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static void expectDisconnect(RawMqttClient c, int reasonCode) {
        RawPacket p = c.expect(Packets.DISCONNECT);
        assertThat(p.body()[0] & 0xFF).isEqualTo(reasonCode);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.3.2-12")
    @DisplayName("[MQTT-3.3.2-12] an alias set with a topic stands for that topic in later PUBLISH packets")
    void aliasResolved() {
        RawMqttClient subscriber = broker.connect("alias-sub").subscribe("alias/#", 0);
        RawMqttClient c = connect5("v5-alias");

        c.send(publish("alias/long/topic/name", 1, "first"), publish("", 1, "second"),
                publish("alias/other", 1, "third"), publish("", 1, "fourth"));

        assertThat(subscriber.expectPublish().topic()).isEqualTo("alias/long/topic/name");
        RawPacket.Publish second = subscriber.expectPublish();
        assertThat(second.topic()).isEqualTo("alias/long/topic/name");
        assertThat(subscriber.expectPublish().topic()).isEqualTo("alias/other");
        assertThat(subscriber.expectPublish().topic()).isEqualTo("alias/other"); // the alias was rebound
    }

    @ParameterizedTest(name = "alias {0}")
    @ValueSource(ints = {0, 65})
    @DisplayName("an alias of 0 or above the Topic Alias Maximum the server announced (64) closes with 0x94")
    void aliasOutOfRange(int alias) {
        RawMqttClient c = connect5("v5-alias-range");
        c.send(publish("alias/x", alias, "x"));
        expectDisconnect(c, TOPIC_ALIAS_INVALID);
    }

    @Test
    @DisplayName("an empty topic with an alias never set, or with no alias, is a protocol error (0x82)")
    void unknownAlias() {
        RawMqttClient c = connect5("v5-alias-unknown");
        c.send(publish("", 5, "x"));
        expectDisconnect(c, PROTOCOL_ERROR);

        RawMqttClient d = connect5("v5-alias-none");
        d.send(Packets.frame(0x30, Wire.concat(u16(0), new byte[] {0}, "x".getBytes(StandardCharsets.UTF_8))));
        expectDisconnect(d, PROTOCOL_ERROR);
    }

    @Test
    @Tag("MQTT-3.3.2-7")
    @DisplayName("[MQTT-3.3.2-7] aliases do not carry over to the client's next connection")
    void aliasesEndWithTheConnection() {
        RawMqttClient c = connect5("v5-alias-again");
        c.send(publish("alias/kept", 2, "x"));
        c.disconnect();

        RawMqttClient again = connect5("v5-alias-again");
        again.send(publish("", 2, "y"));
        expectDisconnect(again, PROTOCOL_ERROR);
    }
}
