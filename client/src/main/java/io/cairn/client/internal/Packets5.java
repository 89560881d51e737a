package io.cairn.client.internal;

import io.cairn.client.Subscription;
import io.cairn.client.UserProperty;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT 5 packets the client builds for Netty's encoder, other than PUBLISH and CONNECT: acknowledgements with a
 * reason code, SUBSCRIBE with options, UNSUBSCRIBE, DISCONNECT and AUTH (MQTT 5.0 §3.4 to §3.15). Stateless.
 */
final class Packets5 {

    private Packets5() {
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP with a reason code. */
    static MqttMessage ack(MqttMessageType type, int id, int reasonCode) {
        return new MqttMessage(new MqttFixedHeader(type, false, type == MqttMessageType.PUBREL
                ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(id, (byte) reasonCode, MqttProperties.NO_PROPERTIES));
    }

    /** SUBSCRIBE with each filter's options and, unless 0, a Subscription Identifier. */
    static MqttSubscribeMessage subscribe(int packetId, List<Subscription> subscriptions, int subscriptionId) {
        List<MqttTopicSubscription> topics = new ArrayList<>(subscriptions.size());
        for (Subscription sub : subscriptions) {
            topics.add(new MqttTopicSubscription(sub.filter(), new MqttSubscriptionOption(
                    MqttQoS.valueOf(sub.qos().value()), sub.noLocal(), sub.retainAsPublished(),
                    MqttSubscriptionOption.RetainedHandlingPolicy.valueOf(sub.retainHandling().value()))));
        }
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (subscriptionId != 0) {
            props = new MqttProperties();
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, subscriptionId));
        }
        return new MqttSubscribeMessage(
                new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, props), new MqttSubscribePayload(topics));
    }

    static MqttUnsubscribeMessage unsubscribe(int packetId, List<String> filters) {
        return new MqttUnsubscribeMessage(
                new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubscribePayload(filters));
    }

    /** DISCONNECT; {@code sessionExpiry} -1 leaves the Session Expiry Interval out. */
    static MqttMessage disconnect(int reasonCode, String reasonString, List<UserProperty> user, long sessionExpiry) {
        MqttProperties p = Properties5.reason(reasonString, user);
        if (sessionExpiry >= 0) {
            if (p == MqttProperties.NO_PROPERTIES) {
                p = new MqttProperties();
            }
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) sessionExpiry));
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, p));
    }

    /**
     * DISCONNECT without its Reason String and User Properties if they would make it larger than
     * {@code maxPacketSize} (0: no limit), MQTT-3.14.2-3 and -4.
     */
    static MqttMessage disconnectWithin(long maxPacketSize, int reasonCode, String reasonString,
                                        List<UserProperty> user, long sessionExpiry) {
        if (maxPacketSize > 0) {
            int props = (sessionExpiry >= 0 ? 5 : 0) + (reasonString == null ? 0 : 3 + Topics.utf8Length(reasonString));
            for (UserProperty u : user) {
                props += 5 + Topics.utf8Length(u.name()) + Topics.utf8Length(u.value());
            }
            long remaining = 1 + Properties5.varIntLength(props) + props;
            if (1 + Properties5.varIntLength((int) Math.min(remaining, 268_435_455)) + remaining > maxPacketSize) {
                return disconnect(reasonCode, null, List.of(), sessionExpiry);
            }
        }
        return disconnect(reasonCode, reasonString, user, sessionExpiry);
    }

    /** AUTH with {@code method} (MQTT-4.12.0-5, MQTT-4.12.1-1) and, unless null, Authentication Data. */
    static MqttMessage auth(int reasonCode, String method, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
        if (data != null) {
            p.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, p));
    }
}
