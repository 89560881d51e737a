package io.cairn.kernel.protocol;

import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.message.UserProperty;
import io.cairn.kernel.routing.Topics;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.util.CharsetUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * The properties of an incoming MQTT 5 PUBLISH (MQTT 5.0 §3.3.2.3), checked and turned into the
 * {@link MessageProperties} the message carries to plugins, stores and subscribers.
 */
final class Publish5 {

    private Publish5() {
    }

    /**
     * @return the message's properties, or {@code null} if the PUBLISH broke a rule: the connection is then
     *         closing with the reason, and the caller releases the payload
     */
    static MessageProperties read(MqttConnection c, MqttProperties p, ByteBuf payload) {
        if (p.getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER) != null) {
            c.violation(ReasonCode.PROTOCOL_ERROR, "MQTT-3.3.4-6", "a PUBLISH to the server with a Subscription "
                    + "Identifier");
            return null;
        }
        try {
            return messageProperties(c, p, payload.nioBuffer(payload.readerIndex(), payload.readableBytes()));
        } catch (Problem e) {
            c.violation(e.reason, e.normativeId, e.getMessage());
            return null;
        }
    }

    /** A property a message may not carry, with the reason code and statement that say so. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;
        final transient ReasonCode reason;
        final String normativeId;

        Problem(ReasonCode reason, String normativeId, String message) {
            super(message, null, false, false);
            this.reason = reason;
            this.normativeId = normativeId;
        }
    }

    /**
     * The message properties of a PUBLISH or of a will (MQTT 5.0 §3.3.2.3, §3.1.3.2), checked: Payload Format
     * Indicator 1 needs a UTF-8 payload, a Response Topic must be a valid topic name.
     */
    static MessageProperties messageProperties(MqttConnection c, MqttProperties p, ByteBuffer payload)
            throws Problem {
        Integer format = intValue(p, MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        boolean utf8 = format != null && format == 1;
        if (utf8 && !isUtf8(payload)) {
            throw new Problem(ReasonCode.PAYLOAD_FORMAT_INVALID, null,
                    "Payload Format Indicator 1 on a payload that is not UTF-8");
        }
        String responseTopic = stringValue(p, MqttProperties.RESPONSE_TOPIC);
        if (responseTopic != null) {
            String problem = PublishFlow.topicProblem(c, responseTopic);
            if (problem != null) {
                throw new Problem(ReasonCode.PROTOCOL_ERROR, "MQTT-3.3.2-14", "invalid Response Topic: " + problem);
            }
        }
        Integer expiry = intValue(p, MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
        MqttProperty<?> correlation = p.getProperty(MqttProperties.CORRELATION_DATA);
        return MessageProperties.of(expiry == null ? MessageProperties.NO_EXPIRY : expiry & 0xFFFF_FFFFL,
                stringValue(p, MqttProperties.CONTENT_TYPE), utf8, responseTopic,
                correlation == null ? null : (byte[]) correlation.value(), userProperties(p));
    }

    /**
     * The topic of an incoming 5.0 PUBLISH after its Topic Alias (MQTT 5.0 §3.3.2.3.4): a topic with an alias
     * sets the alias for this connection, an empty topic takes the alias's. Aliases live as long as the
     * connection (MQTT-3.3.2-7).
     *
     * @return the topic, or {@code null} if the alias broke a rule: the connection is then closing
     */
    static String resolveAlias(MqttConnection c, String topic, MqttProperties p) {
        Integer alias = intValue(p, MqttProperties.TOPIC_ALIAS);
        if (alias == null) {
            if (topic.isEmpty()) {
                c.violation(ReasonCode.PROTOCOL_ERROR, null, "a PUBLISH with neither topic name nor Topic Alias");
                return null;
            }
            return topic;
        }
        int maximum = c.kernel.settings().topicAliasMaximum();
        if (alias == 0 || alias > maximum) {
            c.violation(ReasonCode.TOPIC_ALIAS_INVALID, null, maximum == 0 ? "Topic Alias " + alias
                    + " sent, but CONNACK allowed none" : "Topic Alias " + alias + " outside 1.." + maximum);
            return null;
        }
        if (topic.isEmpty()) {
            String known = c.inboundAlias(alias);
            if (known == null) {
                c.violation(ReasonCode.PROTOCOL_ERROR, null, "Topic Alias " + alias + " was never set");
            }
            return known;
        }
        if (PublishFlow.topicProblem(c, topic) == null) {
            // an invalid topic is refused by the caller, and sets nothing
            c.inboundAlias(alias, topic, topic.getBytes(StandardCharsets.UTF_8));
        }
        return topic;
    }

    /** The user properties in the order they came (MQTT-3.3.2-18). */
    static List<UserProperty> userProperties(MqttProperties p) {
        List<? extends MqttProperty<?>> all = userPropertyList(p);
        if (all.isEmpty()) {
            return List.of();
        }
        List<UserProperty> out = new ArrayList<>(all.size());
        for (MqttProperty<?> property : all) {
            Object value = property.value();
            if (value instanceof StringPair pair) {
                out.add(new UserProperty(pair.key, pair.value));
            } else if (value instanceof List<?> pairs) {
                for (Object o : pairs) {
                    StringPair pair = (StringPair) o;
                    out.add(new UserProperty(pair.key, pair.value));
                }
            }
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // Netty's signature uses the raw MqttProperty type
    private static List<? extends MqttProperty<?>> userPropertyList(MqttProperties p) {
        return (List) p.getProperties(MqttProperties.USER_PROPERTY);
    }

    private static boolean isUtf8(ByteBuffer payload) {
        try {
            CharsetUtil.UTF_8.newDecoder().decode(payload.duplicate());
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static Integer intValue(MqttProperties p, int id) {
        MqttProperty<?> property = p.getProperty(id);
        return property == null ? null : (Integer) property.value();
    }

    private static String stringValue(MqttProperties p, int id) {
        MqttProperty<?> property = p.getProperty(id);
        return property == null ? null : (String) property.value();
    }
}
