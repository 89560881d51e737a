package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Wire.u16;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topic aliases both ways (MQTT 5.0 §3.3.2.3.4): set by the client within our maximum, and set by the server on
 * hot topics within the client's. Raw packets. See docs/mqtt5.md.
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

    // ------------------------------------------------------------------ server to client

    /** An MQTT 5 client that accepts {@code maximum} topic aliases from the server, subscribed to {@code filter}. */
    private RawMqttClient aliasingSubscriber(String clientId, int maximum, String filter) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5(maximum > 0
                ? new byte[][] {Packets.property(0x22, u16(maximum))} : new byte[0][]).build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        c.send(Raw5.subscribe(1, filter, 0));
        c.expect(Packets.SUBACK);
        return c;
    }

    /**
     * What a client does with the server's aliases: resolves each PUBLISH to its topic, failing on an alias that
     * was never bound, is 0 or is above the client's maximum.
     */
    private static final class AliasResolver {
        final int maximum;
        final Map<Integer, String> bound = new HashMap<>();

        AliasResolver(int maximum) {
            this.maximum = maximum;
        }

        String resolve(Raw5.Publish p) {
            int alias = p.topicAlias();
            if (alias == 0) {
                assertThat(p.topic()).as("a PUBLISH without alias has a topic").isNotEmpty();
                return p.topic();
            }
            assertThat(alias).as("alias of %s", p).isBetween(1, maximum);
            if (!p.topic().isEmpty()) {
                bound.put(alias, p.topic());
                return p.topic();
            }
            assertThat(bound).as("alias %d used before the server bound it on this connection", alias)
                    .containsKey(alias);
            return bound.get(alias);
        }
    }

    @Test
    @Tag("MQTT-3.1.2-27")
    @DisplayName("[MQTT-3.1.2-27] a client that sent no Topic Alias Maximum gets no topic aliases")
    void noAliasesWithoutMaximum() {
        RawMqttClient publisher = broker.connect("out-alias-pub0");
        RawMqttClient c = aliasingSubscriber("out-alias-none", 0, "sensors/#");
        for (int i = 0; i < 5; i++) {
            publisher.publish("sensors/hall/temperature", 0, "t" + i);
        }
        for (int i = 0; i < 5; i++) {
            Raw5.Publish p = Raw5.expectPublish(c);
            assertThat(p.topic()).isEqualTo("sensors/hall/temperature");
            assertThat(p.topicAlias()).isZero();
        }
    }

    @Test
    @Tag("MQTT-3.3.2-11")
    @Tag("MQTT-3.1.2-26")
    @Tag("MQTT-3.3.2-8")
    @DisplayName("[MQTT-3.3.2-11] [MQTT-3.1.2-26] [MQTT-3.3.2-8] the server aliases hot topics within the client's "
            + "maximum (never 0, never above it), reusing the least recently used alias; every PUBLISH resolves to "
            + "the topic that was published, and a hot topic's packets get shorter")
    void serverAliasesHotTopics() {
        RawMqttClient publisher = broker.connect("out-alias-pub");
        RawMqttClient c = aliasingSubscriber("out-alias-sub", 2, "#");
        AliasResolver client = new AliasResolver(2);
        List<String> published = new ArrayList<>();
        String[] topics = {"plant/line-1/press/pressure", "plant/line-2/oven/temperature", "plant/line-3/belt/speed"};
        for (int round = 0; round < 4; round++) {
            for (String topic : topics) {
                publisher.publish(topic, 0, "r" + round);
                published.add(topic);
            }
        }
        publisher.publish("p/x", 0, "short"); // topics of three bytes are never aliased
        publisher.publish("p/x", 0, "short");
        publisher.publish("p/x", 0, "short");
        List<String> resolved = new ArrayList<>();
        List<Raw5.Publish> packets = new ArrayList<>();
        for (int i = 0; i < published.size(); i++) {
            Raw5.Publish p = Raw5.expectPublish(c);
            packets.add(p);
            resolved.add(client.resolve(p));
        }
        assertThat(resolved).containsExactlyElementsOf(published);
        assertThat(packets).as("some PUBLISH went with an alias instead of its topic")
                .anySatisfy(p -> assertThat(p.topic()).isEmpty());
        for (int i = 0; i < 3; i++) {
            Raw5.Publish p = Raw5.expectPublish(c);
            assertThat(p.topic()).isEqualTo("p/x");
            assertThat(p.topicAlias()).isZero();
        }
    }

    @Test
    @DisplayName("on one hot topic the third PUBLISH carries only the alias, so it is shorter than the first by the "
            + "topic's length less the alias property")
    void hotTopicSavesBytes() {
        RawMqttClient publisher = broker.connect("out-alias-pub1");
        RawMqttClient c = aliasingSubscriber("out-alias-save", 10, "meters/#");
        String topic = "meters/building-7/floor-3/room-12/energy";
        for (int i = 0; i < 3; i++) {
            publisher.publish(topic, 0, "42");
        }
        Raw5.Publish first = Raw5.expectPublish(c);
        Raw5.Publish second = Raw5.expectPublish(c);
        Raw5.Publish third = Raw5.expectPublish(c);
        assertThat(first.topic()).isEqualTo(topic);
        assertThat(first.topicAlias()).isZero();
        assertThat(second.topic()).isEqualTo(topic);
        assertThat(second.topicAlias()).isEqualTo(1);
        assertThat(third.topic()).isEmpty();
        assertThat(third.topicAlias()).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-3.3.2-7")
    @DisplayName("[MQTT-3.3.2-7] the server's aliases end with the connection: a resumed session's messages resolve "
            + "with a fresh table")
    void serverAliasesEndWithTheConnection() {
        RawMqttClient publisher = broker.connect("out-alias-pub2");
        String topic = "fleet/truck-17/position";
        RawMqttClient first = broker.rawClient("out-alias-resume");
        first.send(Packets.connect("out-alias-resume").mqtt5(Packets.property(0x22, u16(5)),
                Packets.property(0x11, Packets.u32(300))).build());
        assertThat(first.expectConnack5().returnCode()).isZero();
        first.send(Raw5.subscribe(1, "fleet/#", 1));
        first.expect(Packets.SUBACK);
        AliasResolver firstClient = new AliasResolver(5);
        for (int i = 0; i < 3; i++) {
            publisher.publish(topic, 1, "p" + i);
            Raw5.Publish p = Raw5.expectPublish(first);
            assertThat(firstClient.resolve(p)).isEqualTo(topic);
            first.send(Packets.puback(p.packetId()));
        }
        assertThat(firstClient.bound).isNotEmpty();
        first.ping(); // the PUBACKs are processed before the connection is reset
        first.abort();
        publisher.publish(topic, 1, "queued-1");
        publisher.publish(topic, 1, "queued-2");
        publisher.publish(topic, 1, "queued-3");

        RawMqttClient again = broker.rawClient("out-alias-resume-2");
        again.send(Packets.connect("out-alias-resume").cleanSession(false).mqtt5(Packets.property(0x22, u16(5)),
                Packets.property(0x11, Packets.u32(300))).build());
        assertThat(again.expectConnack5().returnCode()).isZero();
        AliasResolver fresh = new AliasResolver(5);
        for (int i = 1; i <= 3; i++) {
            Raw5.Publish p = Raw5.expectPublish(again);
            assertThat(fresh.resolve(p)).isEqualTo(topic);
            assertThat(p.payloadText()).isEqualTo("queued-" + i);
            again.send(Packets.puback(p.packetId()));
        }
    }
}
