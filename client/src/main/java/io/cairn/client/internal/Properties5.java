package io.cairn.client.internal;

import io.cairn.client.ConnAckProperties;
import io.cairn.client.MessageProperties;
import io.cairn.client.Qos;
import io.cairn.client.UserProperty;
import io.cairn.client.Will;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the client's MQTT 5 property objects and Netty's {@link MqttProperties} (MQTT 5.0 §2.2.2),
 * and computes encoded sizes for the Maximum Packet Size check. Stateless.
 */
final class Properties5 {

    private Properties5() {
    }

    // ---- reading ----

    static String string(MqttProperties p, int id) {
        MqttProperty<?> v = p.getProperty(id);
        return v instanceof StringProperty s ? s.value() : null;
    }

    static Integer integer(MqttProperties p, int id) {
        MqttProperty<?> v = p.getProperty(id);
        return v instanceof IntegerProperty i ? i.value() : null;
    }

    static byte[] binary(MqttProperties p, int id) {
        MqttProperty<?> v = p.getProperty(id);
        return v instanceof BinaryProperty b ? b.value() : null;
    }

    /** The User Properties in wire order. */
    static List<UserProperty> userProperties(MqttProperties p) {
        List<?> list = p.getProperties(MqttProperties.USER_PROPERTY);
        if (list.isEmpty()) {
            return List.of();
        }
        List<UserProperty> out = new ArrayList<>(list.size());
        for (Object u : list) {
            MqttProperties.StringPair pair = ((MqttProperties.UserProperty) u).value();
            out.add(new UserProperty(pair.key, pair.value));
        }
        return out;
    }

    /** The Subscription Identifiers of a received PUBLISH, in wire order. */
    static List<Integer> subscriptionIdentifiers(MqttProperties p) {
        List<?> list = p.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER);
        if (list.isEmpty()) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>(list.size());
        for (Object i : list) {
            out.add(((IntegerProperty) i).value());
        }
        return out;
    }

    /** The message properties of a received PUBLISH. */
    static MessageProperties message(MqttProperties p) {
        if (p.isEmpty()) {
            return MessageProperties.none();
        }
        MessageProperties.Builder b = MessageProperties.builder();
        Integer expiry = integer(p, MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
        if (expiry != null) {
            b.messageExpiryInterval(Duration.ofSeconds(Integer.toUnsignedLong(expiry)));
        }
        Integer format = integer(p, MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        b.utf8Payload(format != null && format == 1);
        String contentType = string(p, MqttProperties.CONTENT_TYPE);
        if (contentType != null) {
            b.contentType(contentType);
        }
        String responseTopic = string(p, MqttProperties.RESPONSE_TOPIC);
        if (responseTopic != null && !responseTopic.isEmpty() && responseTopic.indexOf('+') < 0
                && responseTopic.indexOf('#') < 0) {
            b.responseTopic(responseTopic);
        }
        b.correlationData(binary(p, MqttProperties.CORRELATION_DATA));
        b.userProperties(userProperties(p));
        return b.build();
    }

    /** The properties of a CONNACK. */
    static ConnAckProperties connAck(MqttProperties p) {
        ConnAckProperties.Builder b = ConnAckProperties.builder();
        if (p.isEmpty()) {
            return b.build();
        }
        Integer v;
        if ((v = integer(p, MqttProperties.SESSION_EXPIRY_INTERVAL)) != null) {
            b.sessionExpiryInterval(Duration.ofSeconds(Integer.toUnsignedLong(v)));
        }
        if ((v = integer(p, MqttProperties.RECEIVE_MAXIMUM)) != null && v > 0) {
            b.receiveMaximum(v);
        }
        if ((v = integer(p, MqttProperties.MAXIMUM_QOS)) != null && v >= 0 && v <= 1) {
            b.maximumQos(Qos.of(v));
        }
        if ((v = integer(p, MqttProperties.RETAIN_AVAILABLE)) != null) {
            b.retainAvailable(v != 0);
        }
        if ((v = integer(p, MqttProperties.MAXIMUM_PACKET_SIZE)) != null && v != 0) {
            b.maximumPacketSize(Integer.toUnsignedLong(v));
        }
        b.assignedClientIdentifier(string(p, MqttProperties.ASSIGNED_CLIENT_IDENTIFIER));
        if ((v = integer(p, MqttProperties.TOPIC_ALIAS_MAXIMUM)) != null) {
            b.topicAliasMaximum(v);
        }
        b.reasonString(string(p, MqttProperties.REASON_STRING));
        for (UserProperty u : userProperties(p)) {
            b.userProperty(u);
        }
        if ((v = integer(p, MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE)) != null) {
            b.wildcardSubscriptionAvailable(v != 0);
        }
        if ((v = integer(p, MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE)) != null) {
            b.subscriptionIdentifiersAvailable(v != 0);
        }
        if ((v = integer(p, MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE)) != null) {
            b.sharedSubscriptionAvailable(v != 0);
        }
        if ((v = integer(p, MqttProperties.SERVER_KEEP_ALIVE)) != null) {
            b.serverKeepAlive(Duration.ofSeconds(v));
        }
        b.responseInformation(string(p, MqttProperties.RESPONSE_INFORMATION));
        b.serverReference(string(p, MqttProperties.SERVER_REFERENCE));
        b.authenticationMethod(string(p, MqttProperties.AUTHENTICATION_METHOD));
        b.authenticationData(binary(p, MqttProperties.AUTHENTICATION_DATA));
        return b.build();
    }

    /**
     * A protocol violation in CONNACK properties the builder would otherwise clamp, or {@code null}: Receive
     * Maximum 0, Maximum QoS other than 0 or 1, Maximum Packet Size 0 (MQTT 5.0 §3.2.2.3).
     */
    static String connAckViolation(MqttProperties p) {
        Integer v;
        if ((v = integer(p, MqttProperties.RECEIVE_MAXIMUM)) != null && v == 0) {
            return "CONNACK with Receive Maximum 0";
        }
        if ((v = integer(p, MqttProperties.MAXIMUM_QOS)) != null && v != 0 && v != 1) {
            return "CONNACK with Maximum QoS " + v;
        }
        if ((v = integer(p, MqttProperties.MAXIMUM_PACKET_SIZE)) != null && v == 0) {
            return "CONNACK with Maximum Packet Size 0";
        }
        return null;
    }

    // ---- writing ----

    static void addUserProperties(MqttProperties p, List<UserProperty> list) {
        for (UserProperty u : list) {
            p.add(new MqttProperties.UserProperty(u.name(), u.value()));
        }
    }

    /** The CONNECT properties: only those that differ from the specification's defaults are sent. */
    static MqttProperties connect(ClientOptions o, int maxPacketSizeLimit, String authMethod, byte[] authData) {
        Mqtt5Options v = o.v5();
        MqttProperties p = new MqttProperties();
        if (v.sessionExpirySeconds() != 0) {
            p.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) v.sessionExpirySeconds()));
        }
        if (v.receiveMaximum() != 65535) {
            p.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, v.receiveMaximum()));
        }
        if (o.maxIncomingPacketSize() < maxPacketSizeLimit) {
            p.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, o.maxIncomingPacketSize()));
        }
        if (v.topicAliasMaximum() != 0) {
            p.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, v.topicAliasMaximum()));
        }
        if (v.requestResponseInformation()) {
            p.add(new IntegerProperty(MqttProperties.REQUEST_RESPONSE_INFORMATION, 1));
        }
        if (!v.requestProblemInformation()) {
            p.add(new IntegerProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION, 0));
        }
        addUserProperties(p, v.userProperties());
        if (authMethod != null) {
            p.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, authMethod));
            if (authData != null) {
                p.add(new BinaryProperty(MqttProperties.AUTHENTICATION_DATA, authData));
            }
        }
        return p;
    }

    /** The Will Properties. */
    static MqttProperties will(Will w) {
        MqttProperties m = message(w.properties(), 0);
        MqttProperties p = m == MqttProperties.NO_PROPERTIES ? new MqttProperties() : m;
        w.delayInterval().ifPresent(d -> p.add(new IntegerProperty(MqttProperties.WILL_DELAY_INTERVAL,
                (int) d.toSeconds())));
        return p;
    }

    /** The properties of an outgoing PUBLISH, with a Topic Alias unless {@code alias} is 0. */
    static MqttProperties message(MessageProperties m, int alias) {
        if (m.isEmpty() && alias == 0) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        m.messageExpiryInterval().ifPresent(d -> p.add(new IntegerProperty(
                MqttProperties.PUBLICATION_EXPIRY_INTERVAL, (int) d.toSeconds())));
        if (m.utf8Payload()) {
            p.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        }
        m.contentType().ifPresent(s -> p.add(new StringProperty(MqttProperties.CONTENT_TYPE, s)));
        m.responseTopic().ifPresent(s -> p.add(new StringProperty(MqttProperties.RESPONSE_TOPIC, s)));
        m.correlationData().ifPresent(b -> p.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, b)));
        addUserProperties(p, m.userProperties());
        if (alias != 0) {
            p.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
        }
        return p;
    }

    /** Properties with a Reason String (if not null) and User Properties. */
    static MqttProperties reason(String reasonString, List<UserProperty> user) {
        if (reasonString == null && user.isEmpty()) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (reasonString != null) {
            p.add(new StringProperty(MqttProperties.REASON_STRING, reasonString));
        }
        addUserProperties(p, user);
        return p;
    }

    // ---- sizes ----

    /** The encoded length of the properties of {@code m} (without the Property Length itself). */
    static int length(MessageProperties m) {
        int n = 0;
        if (m.messageExpiryInterval().isPresent()) {
            n += 5;
        }
        if (m.utf8Payload()) {
            n += 2;
        }
        if (m.contentType().isPresent()) {
            n += 3 + Topics.utf8Length(m.contentType().get());
        }
        if (m.responseTopic().isPresent()) {
            n += 3 + Topics.utf8Length(m.responseTopic().get());
        }
        if (m.correlationData().isPresent()) {
            n += 3 + m.correlationData().get().length;
        }
        for (UserProperty u : m.userProperties()) {
            n += 5 + Topics.utf8Length(u.name()) + Topics.utf8Length(u.value());
        }
        return n;
    }

    /** The bytes a Variable Byte Integer of {@code value} takes (MQTT-1.5.5-1: the fewest). */
    static int varIntLength(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /**
     * The size of an MQTT 5 PUBLISH on the wire: fixed header, topic, packet id, properties and payload.
     *
     * @param propertiesLength the length of the properties without the Property Length
     */
    static long publishSize(int topicBytes, boolean hasPacketId, int propertiesLength, int payloadBytes) {
        long remaining = 2L + topicBytes + (hasPacketId ? 2 : 0) + varIntLength(propertiesLength) + propertiesLength
                + payloadBytes;
        return 1 + (remaining > 268_435_455L ? 5 : varIntLength((int) remaining)) + remaining;
    }
}
