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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 PUBLISH packets byte for byte: the property block both ways, malformed property lengths, and the order
 * of packets that the broker reads in place (no properties, or only a Topic Alias) and through the decoder (any
 * other property) when they arrive together.
 */
class PublishWire5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient connect5(String clientId) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5().build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    /** A QoS 1 MQTT 5 PUBLISH with the raw property block {@code properties} (its length byte included). */
    private static byte[] publish(String topic, int packetId, byte[] properties, String payload) {
        return Packets.frame(0x32, Wire.concat(Wire.utf8(topic), u16(packetId), properties,
                payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] props(byte[]... properties) {
        byte[] all = Wire.concat(properties);
        return Wire.concat(Wire.remainingLength(all.length), all);
    }

    private static void expectDisconnect(RawMqttClient c, int reason) {
        RawPacket p = c.expect(Packets.DISCONNECT);
        assertThat(p.body()[0] & 0xFF).as("DISCONNECT reason").isEqualTo(reason);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-2.2.2-1")
    @DisplayName("[MQTT-2.2.2-1] a PUBLISH with no properties to an MQTT 5 subscriber carries a Property Length "
            + "of 0")
    void emptyPropertyBlock() {
        RawMqttClient subscriber = connect5("wire-sub");
        subscriber.send(Raw5.subscribe(1, "wire/#", 1));
        subscriber.expect(Packets.SUBACK);
        broker.connect("wire-pub-311").publish("wire/plain", 1, "hello");

        RawPacket p = subscriber.expect(Packets.PUBLISH);
        byte[] expected = Wire.concat(Wire.utf8("wire/plain"), u16(1), new byte[] {0},
                "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(p.body()).isEqualTo(expected);
    }

    @Test
    @DisplayName("packets read in place and packets with properties for the decoder, sent in one write, are "
            + "routed in the order they were sent, each with its own properties")
    void inPlaceAndDecodedKeepTheirOrder() {
        RawMqttClient subscriber = connect5("wire-order-sub");
        subscriber.send(Raw5.subscribe(1, "order/#", 0));
        subscriber.expect(Packets.SUBACK);
        RawMqttClient c = connect5("wire-order-pub");
        byte[] userProperty = Wire.concat(new byte[] {0x26}, Wire.utf8("k"), Wire.utf8("v"));
        byte[] alias = Wire.concat(new byte[] {0x23}, u16(7));
        byte[] contentType = Wire.concat(new byte[] {0x03}, Wire.utf8("text/plain"));

        c.send(Wire.concat(
                publish("order/a", 1, props(), "1"),
                publish("order/b", 2, props(userProperty), "2"),
                publish("order/c", 3, props(alias), "3"),            // binds 7 in place
                publish("", 4, props(alias), "4"),                   // uses 7 in place
                publish("order/d", 5, props(alias, contentType), "5"), // rebinds 7 through the decoder
                publish("", 6, props(alias), "6")));

        String[] topics = {"order/a", "order/b", "order/c", "order/c", "order/d", "order/d"};
        for (int i = 0; i < topics.length; i++) {
            Raw5.Publish p = Raw5.expectPublish(subscriber);
            assertThat(p.topic() + " " + p.payloadText()).isEqualTo(topics[i] + " " + (i + 1));
            if (i == 1) {
                assertThat(p.properties()).as("user property forwarded").isEqualTo(userProperty);
            }
        }
        for (int id = 1; id <= 6; id++) {
            assertThat(c.expect(Packets.PUBACK).packetId()).isEqualTo(id);
        }
    }

    @Test
    @Tag("MQTT-4.13.1-1")
    @DisplayName("[MQTT-4.13.1-1] a PUBLISH whose property length runs past the packet is malformed: DISCONNECT "
            + "0x81 and close, and it is not routed")
    void propertyLengthPastTheEnd() {
        RawMqttClient subscriber = connect5("wire-bad-sub");
        subscriber.send(Raw5.subscribe(1, "bad/#", 0));
        subscriber.expect(Packets.SUBACK);
        RawMqttClient c = connect5("wire-bad");
        c.send(publish("bad/length", 1, new byte[] {20, 0x23}, ""));
        expectDisconnect(c, 0x81);

        broker.connect("wire-bad-marker").publish("bad/marker", 0, "m");
        assertThat(Raw5.expectPublish(subscriber).topic()).isEqualTo("bad/marker");
    }

    @Test
    @Tag("MQTT-4.13.1-1")
    @Tag("MQTT-1.5.5-1")
    @DisplayName("[MQTT-4.13.1-1] [MQTT-1.5.5-1] a property length of more than four bytes is malformed: "
            + "DISCONNECT 0x81")
    void propertyLengthTooLong() {
        RawMqttClient c = connect5("wire-vbi");
        c.send(publish("bad/vbi", 1, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}, "x"));
        expectDisconnect(c, 0x81);
    }

    @Test
    @DisplayName("a PUBLISH with a property other than User Property given twice is a protocol error: DISCONNECT "
            + "0x82, and it is not routed")
    void publishPropertyTwice() {
        RawMqttClient subscriber = connect5("wire-dup-sub");
        subscriber.send(Raw5.subscribe(1, "dup/#", 0));
        subscriber.expect(Packets.SUBACK);
        RawMqttClient c = connect5("wire-dup");
        byte[] contentType = Wire.concat(new byte[] {0x03}, Wire.utf8("a/b"));
        c.send(publish("dup/content-type", 1, props(contentType, contentType), "x"));
        expectDisconnect(c, 0x82);

        broker.connect("wire-dup-marker").publish("dup/marker", 0, "m");
        assertThat(Raw5.expectPublish(subscriber).topic()).isEqualTo("dup/marker");
    }

    @Test
    @DisplayName("a SUBSCRIBE with two Subscription Identifiers is a protocol error: DISCONNECT 0x82")
    void subscribePropertyTwice() {
        RawMqttClient c = connect5("wire-dup-sub-id");
        c.send(Packets.frame(0x82, Wire.concat(u16(1), new byte[] {4, 0x0B, 1, 0x0B, 2}, Wire.utf8("a/b"),
                new byte[] {0})));
        expectDisconnect(c, 0x82);
    }
}
