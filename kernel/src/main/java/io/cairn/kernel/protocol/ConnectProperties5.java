package io.cairn.kernel.protocol;

import io.cairn.api.message.ReasonCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;

/**
 * Reads and checks the properties of an MQTT 5 CONNECT (MQTT 5.0 §3.1.2.11) into the connection: Session Expiry
 * Interval, Receive Maximum, Maximum Packet Size, Topic Alias Maximum, Request Response / Problem Information.
 * A value the specification forbids is refused with CONNACK 0x82 (Protocol Error). The Authentication Method
 * and Data are kept for {@link ConnectFlow}, which runs the method's exchange.
 */
final class ConnectProperties5 {

    /** The largest packet size the protocol can express (MQTT 5.0 §2.2.3). */
    static final long PROTOCOL_MAX_PACKET_SIZE = 268_435_460L;

    private ConnectProperties5() {
    }

    /** @return {@code true} to go on with the CONNECT; {@code false} if it was refused */
    static boolean read(MqttConnection c, MqttProperties properties) {
        c.sessionExpiry = intValue(properties, MqttProperties.SESSION_EXPIRY_INTERVAL, 0) & 0xFFFF_FFFFL;
        // the Maximum Packet Size first: a refusal's reason string must keep within it (MQTT-3.2.2-19)
        Integer maximumPacketSize = intValue(properties, MqttProperties.MAXIMUM_PACKET_SIZE);
        if (maximumPacketSize != null && maximumPacketSize == 0) {
            c.refuse(ReasonCode.PROTOCOL_ERROR, null, "Maximum Packet Size 0");
            return false;
        }
        c.clientMaximumPacketSize = maximumPacketSize != null ? maximumPacketSize & 0xFFFF_FFFFL
                : PROTOCOL_MAX_PACKET_SIZE;
        Integer problemInformation = intValue(properties, MqttProperties.REQUEST_PROBLEM_INFORMATION);
        c.requestProblemInformation = problemInformation == null || problemInformation != 0;
        Integer receiveMaximum = intValue(properties, MqttProperties.RECEIVE_MAXIMUM);
        if (receiveMaximum != null && receiveMaximum == 0) {
            c.refuse(ReasonCode.PROTOCOL_ERROR, null, "Receive Maximum 0");
            return false;
        }
        c.clientReceiveMaximum = receiveMaximum != null ? receiveMaximum : 65_535;
        c.clientTopicAliasMaximum = intValue(properties, MqttProperties.TOPIC_ALIAS_MAXIMUM, 0);
        Integer responseInformation = intValue(properties, MqttProperties.REQUEST_RESPONSE_INFORMATION);
        if (responseInformation != null && responseInformation > 1
                || problemInformation != null && problemInformation > 1) {
            c.refuse(ReasonCode.PROTOCOL_ERROR, null, "Request Response/Problem Information other than 0 or 1");
            return false;
        }
        c.requestResponseInformation = responseInformation != null && responseInformation == 1;
        c.requestProblemInformation = problemInformation == null || problemInformation == 1;
        MqttProperty<?> method = properties.getProperty(MqttProperties.AUTHENTICATION_METHOD);
        MqttProperty<?> data = properties.getProperty(MqttProperties.AUTHENTICATION_DATA);
        if (method == null && data != null) {
            c.refuse(ReasonCode.PROTOCOL_ERROR, null, "Authentication Data without an Authentication Method");
            return false;
        }
        // an offered method is looked up, and its exchange run, once the rest of the CONNECT is checked
        c.authMethod = method == null ? null : (String) method.value();
        c.authData = data == null ? null : (byte[]) data.value();
        return true;
    }

    private static Integer intValue(MqttProperties properties, int type) {
        MqttProperty<?> p = properties.getProperty(type);
        return p == null ? null : (Integer) p.value();
    }

    private static int intValue(MqttProperties properties, int type, int absent) {
        Integer v = intValue(properties, type);
        return v == null ? absent : v;
    }
}
