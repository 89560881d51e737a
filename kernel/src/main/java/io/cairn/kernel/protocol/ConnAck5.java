package io.cairn.kernel.protocol;

import io.cairn.kernel.embedded.BrokerSettings;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;

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

    static MqttProperties properties(MqttConnection c) {
        MqttProperties p = new MqttProperties();
        p.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, c.kernel.settings().maxPacketSize()));
        BrokerSettings settings = c.kernel.settings();
        if (settings.receiveMaximum() < 65_535) {
            p.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, settings.receiveMaximum()));
        }
        if (settings.topicAliasMaximum() > 0) {
            p.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, settings.topicAliasMaximum()));
        }
        if (c.serverKeepAlive) {
            p.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, c.keepAlive)); // MQTT 5.0 §3.2.2.3.14
        }
        String prefix = settings.responseInformation();
        if (c.requestResponseInformation && !prefix.isEmpty() && c.clientId.indexOf('+') < 0
                && c.clientId.indexOf('#') < 0 && !c.clientId.isEmpty()) {
            // MQTT-3.1.2-28: only when asked; a topic prefix of the client's own for its Response Topics
            p.add(new StringProperty(MqttProperties.RESPONSE_INFORMATION, prefix + c.clientId + '/'));
        }
        if (c.authMethod != null) {
            // MQTT 5.0 §3.2.2.3.17: the method of the exchange that succeeded, and its last data if any
            p.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, c.authMethod));
            if (c.authSuccessData != null) {
                p.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, c.authSuccessData));
            }
        }
        if (c.assignedClientId) {
            p.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, c.clientId)); // MQTT-3.2.2-16
        }
        return p;
    }
}
