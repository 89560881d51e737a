package io.cairn.kernel.protocol;

import io.cairn.kernel.embedded.BrokerSettings;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * The properties of an accepting MQTT 5 CONNACK (MQTT 5.0 §3.2.2.3): what this server offers and its limits.
 * A property left out means the specification's default (Receive Maximum 65,535, Maximum QoS 2, Retain and
 * wildcard, shared subscriptions and Subscription Identifiers available, Topic Alias Maximum 0).
 *
 * <p>Built by hand rather than with Netty's {@code ConnAckPropertiesBuilder}, which always writes Receive Maximum
 * (0 unless set: a protocol error), Retain Available (false unless set) and Topic Alias Maximum.
 */
final class ConnAck5 {

    private ConnAck5() {
    }

    /**
     * The CONNACK properties for {@code c}, trimmed to the client's Maximum Packet Size (MQTT-3.1.2-24): what the
     * client needs to go on (its assigned identifier, the authentication method, the Server Keep Alive it must
     * use) stays; the rest goes, least needed first (Response Information, Authentication Data, Topic Alias
     * Maximum, Receive Maximum, Maximum Packet Size: the client then assumes the specification's defaults). Returns
     * {@code null} when even the needed ones do not fit: the connection is then closed without a CONNACK.
     */
    static MqttProperties properties(MqttConnection c) {
        BrokerSettings settings = c.kernel.settings();
        List<MqttProperty<?>> needed = new ArrayList<>();
        List<MqttProperty<?>> optional = new ArrayList<>(); // most useful first
        if (c.assignedClientId) {
            needed.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, c.clientId)); // MQTT-3.2.2-16
        }
        if (c.authMethod != null) {
            // MQTT 5.0 §3.2.2.3.17: the method of the exchange that succeeded, and its last data if any
            needed.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, c.authMethod));
        }
        if (c.serverKeepAlive) {
            needed.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, c.keepAlive)); // MQTT 5.0 §3.2.2.3.14
        }
        optional.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, settings.maxPacketSize()));
        if (settings.receiveMaximum() < 65_535) {
            optional.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, settings.receiveMaximum()));
        }
        if (settings.topicAliasMaximum() > 0) {
            optional.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, settings.topicAliasMaximum()));
        }
        if (c.authMethod != null && c.authSuccessData != null) {
            optional.add(new BinaryProperty(MqttProperties.AUTHENTICATION_DATA, c.authSuccessData));
        }
        String prefix = settings.responseInformation();
        if (c.requestResponseInformation && !prefix.isEmpty() && c.clientId.indexOf('+') < 0
                && c.clientId.indexOf('#') < 0 && !c.clientId.isEmpty()) {
            // MQTT-3.1.2-28: only when asked; a topic prefix of the client's own for its Response Topics
            optional.add(new StringProperty(MqttProperties.RESPONSE_INFORMATION, prefix + c.clientId + '/'));
        }
        List<MqttProperty<?>> all = new ArrayList<>(needed);
        all.addAll(optional);
        int propertyBytes = 0;
        for (MqttProperty<?> property : all) {
            propertyBytes += size(property);
        }
        while (packetSize(propertyBytes) > c.clientMaximumPacketSize && all.size() > needed.size()) {
            propertyBytes -= size(all.remove(all.size() - 1));
        }
        if (packetSize(propertyBytes) > c.clientMaximumPacketSize) {
            return null;
        }
        MqttProperties p = new MqttProperties();
        all.forEach(p::add);
        return p;
    }

    /** The bytes of an accepting CONNACK whose properties take {@code propertyBytes}. */
    static long packetSize(int propertyBytes) {
        int remaining = 2 + PublishEncoder.lengthBytes(propertyBytes) + propertyBytes;
        return 1L + PublishEncoder.lengthBytes(remaining) + remaining;
    }

    /** The encoded bytes of one property: identifier and value. */
    private static int size(MqttProperty<?> property) {
        Object value = property.value();
        if (value instanceof String text) {
            return 3 + ByteBufUtil.utf8Bytes(text);
        }
        if (value instanceof byte[] data) {
            return 3 + data.length;
        }
        return switch (property.propertyId()) {
            case MqttProperties.MAXIMUM_PACKET_SIZE -> 5;
            default -> 3; // the two-byte integers: Receive Maximum, Topic Alias Maximum, Server Keep Alive
        };
    }
}
