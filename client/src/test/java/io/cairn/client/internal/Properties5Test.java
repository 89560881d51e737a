package io.cairn.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cairn.client.ConnAckProperties;
import io.cairn.client.MessageProperties;
import io.cairn.client.Qos;
import io.cairn.client.Subscription;
import io.cairn.client.UserProperty;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sizes the client computes for the Maximum Packet Size checks (publish, subscribe, unsubscribe, DISCONNECT)
 * against what Netty's encoder really writes for MQTT 5.
 */
class Properties5Test {

    private EmbeddedChannel channel;

    @BeforeEach
    void mqtt5Channel() {
        channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        // the encoder learns the protocol level from the CONNECT it encodes
        channel.writeOutbound(new MqttConnectMessage(
                new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnectVariableHeader("MQTT", 5, false, false, false, 0, false, true, 60,
                        MqttProperties.NO_PROPERTIES),
                new MqttConnectPayload("c", MqttProperties.NO_PROPERTIES, null, (byte[]) null, null, (byte[]) null)));
        ((ByteBuf) channel.readOutbound()).release();
    }

    @AfterEach
    void finish() {
        assertFalse(channel.finish());
    }

    private int encodedSize(MqttMessage m) {
        channel.writeOutbound(m);
        ByteBuf b = channel.readOutbound();
        try {
            return b.readableBytes();
        } finally {
            b.release();
        }
    }

    static Stream<Arguments> publishes() {
        MessageProperties all = MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(70000))
                .utf8Payload(true).contentType("application/json; charset=utf-8").responseTopic("r/é/t")
                .correlationData(new byte[300]).userProperty("k", "v").userProperty("ключ", "значение")
                .build();
        return Stream.of(
                Arguments.of("t", Qos.AT_MOST_ONCE, MessageProperties.none(), 0),
                Arguments.of("a/b", Qos.AT_LEAST_ONCE, MessageProperties.none(), 1),
                Arguments.of("sensors/ünïcode/😀", Qos.EXACTLY_ONCE, all, 10),
                Arguments.of("x".repeat(200), Qos.AT_LEAST_ONCE, all, 127 - 8),
                Arguments.of("p", Qos.AT_MOST_ONCE, MessageProperties.none(), 16_384),
                Arguments.of("big", Qos.AT_LEAST_ONCE, all, 2_097_152),
                Arguments.of("u", Qos.AT_LEAST_ONCE, MessageProperties.builder()
                        .userProperties(Stream.generate(() -> UserProperty.of("n", "v".repeat(20))).limit(30).toList())
                        .build(), 3));
    }

    @ParameterizedTest(name = "{0} QoS {1}, {3} payload bytes")
    @MethodSource("publishes")
    @DisplayName("the computed PUBLISH size is what the encoder writes, also across varint length boundaries")
    void publishSize(String topic, Qos qos, MessageProperties props, int payloadBytes) {
        int id = qos == Qos.AT_MOST_ONCE ? 0 : 9;
        MqttPublishMessage m = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos.value()), false, 0),
                new MqttPublishVariableHeader(topic, id, Properties5.message(props, 0)),
                Unpooled.wrappedBuffer(new byte[payloadBytes]));

        assertThat(Properties5.publishSize(Topics.utf8Length(topic), id != 0, Properties5.length(props),
                payloadBytes)).isEqualTo(encodedSize(m));
    }

    @Test
    @DisplayName("a Topic Alias adds exactly 3 bytes to the properties")
    void aliasSize() {
        MqttPublishMessage m = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader("a/b", 1, Properties5.message(MessageProperties.none(), 7)),
                Unpooled.wrappedBuffer(new byte[5]));
        assertThat(Properties5.publishSize(3, true, 3, 5)).isEqualTo(encodedSize(m));
    }

    @Test
    @DisplayName("SUBSCRIBE and UNSUBSCRIBE sizes: the limit check refuses one byte above the encoded size only")
    void subscribeAndUnsubscribeSizes() {
        List<Subscription> subs = List.of(Subscription.of("a/+/ü", Qos.AT_LEAST_ONCE),
                Subscription.of("x".repeat(150), Qos.EXACTLY_ONCE).withNoLocal(true));
        int subscribe = encodedSize(Packets5.subscribe(3, subs, 300_000));
        int unsubscribe = encodedSize(Packets5.unsubscribe(4, List.of("a/+/ü", "x".repeat(150))));

        assertThat(ServerLimits.subscribe(limit(subscribe), subs, 300_000)).isNull();
        assertThat(ServerLimits.subscribe(limit(subscribe - 1), subs, 300_000))
                .contains("would be " + subscribe + " bytes");
        assertThat(ServerLimits.unsubscribe(limit(unsubscribe), List.of("a/+/ü", "x".repeat(150)))).isNull();
        assertThat(ServerLimits.unsubscribe(limit(unsubscribe - 1), List.of("a/+/ü", "x".repeat(150))))
                .contains("would be " + unsubscribe + " bytes");
    }

    @Test
    @DisplayName("a DISCONNECT keeps its Reason String and User Properties exactly as long as they fit")
    void disconnectWithin() {
        List<UserProperty> user = List.of(UserProperty.of("why", "maintenance"));
        int full = encodedSize(Packets5.disconnect(0x04, "going away", user, 60));
        int bare = encodedSize(Packets5.disconnect(0x04, null, List.of(), 60));

        assertThat(encodedSize(Packets5.disconnectWithin(full, 0x04, "going away", user, 60))).isEqualTo(full);
        assertThat(encodedSize(Packets5.disconnectWithin(full - 1, 0x04, "going away", user, 60))).isEqualTo(bare);
        assertThat(encodedSize(Packets5.disconnectWithin(0, 0x04, "going away", user, 60))).isEqualTo(full);
    }

    @Test
    @DisplayName("a publish at exactly the server's Maximum Packet Size passes the check, one byte more fails")
    void publishLimitBoundary() {
        MessageProperties props = MessageProperties.builder().contentType("c").build();
        OutgoingPublish p = new OutgoingPublish("t/t", ByteBuffer.wrap(new byte[40]), Qos.AT_LEAST_ONCE, false,
                props, null);
        int size = encodedSize(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader("t/t", 1, Properties5.message(props, 0)),
                Unpooled.wrappedBuffer(new byte[40])));

        assertThat(ServerLimits.publish(limit(size), p)).isNull();
        assertThat(ServerLimits.publish(limit(size - 1), p)).contains("MQTT-3.2.2-15");
    }

    private static ConnAckProperties limit(long maximumPacketSize) {
        return ConnAckProperties.builder().maximumPacketSize(maximumPacketSize).build();
    }
}
