package io.cairn.kernel.protocol;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.routing.Topics;
import io.cairn.kernel.session.Session;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.List;

/**
 * SUBSCRIBE and UNSUBSCRIBE (MQTT 3.1.1 §3.8, §3.10): each filter is checked on its own and answered in SUBACK
 * with the granted QoS or 0x80; the retained messages matching each granted filter follow the SUBACK.
 */
final class SubscribeFlow {

    private static final int FAILURE = 0x80;

    private SubscribeFlow() {
    }

    static void subscribe(MqttConnection c, MqttSubscribeMessage m) {
        List<MqttTopicSubscription> requested = m.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            c.violation("MQTT-3.8.3-3", "sent SUBSCRIBE without a topic filter");
            return;
        }
        // reserved bits of the option bytes were checked by MqttFramer (MQTT-3.8.3-4)
        BrokerSettings settings = c.kernel.settings();
        Session session = c.session;
        int[] codes = new int[requested.size()];
        Subscription[] granted = new Subscription[requested.size()];
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription t = requested.get(i);
            String problem = Topics.validateTopicFilter(t.topicFilter(), settings.maxTopicLength(),
                    settings.maxTopicLevels());
            if (problem != null) {
                EventLog.PROTOCOL.info("Client '{}' subscribed to an invalid filter '{}': {} [SUBACK 0x80]",
                        c.clientId, t.topicFilter(), problem);
                codes[i] = FAILURE;
                continue;
            }
            Subscription s = Subscription.of(t.topicFilter(), QoS.of(t.qualityOfService().value()));
            session.subscribe(s);
            granted[i] = s;
            codes[i] = s.qos().value();
        }
        c.write(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), MqttMessageIdVariableHeader.from(m.variableHeader().messageId()),
                new MqttSubAckPayload(codes)));
        for (Subscription s : granted) {
            if (s != null) {
                // MQTT-3.3.1-6, MQTT-3.8.4-3: retained messages go out with retain 1, also on a re-subscribe
                c.kernel.retained().match(s.topicFilter(),
                        r -> session.offer(r, QoS.min(r.qos(), s.qos()), true));
            }
        }
    }

    static void unsubscribe(MqttConnection c, MqttUnsubscribeMessage m) {
        List<String> filters = m.payload().topics();
        if (filters.isEmpty()) {
            c.violation("MQTT-3.10.3-2", "sent UNSUBSCRIBE without a topic filter");
            return;
        }
        for (String filter : filters) {
            c.session.unsubscribe(filter);
        }
        c.write(new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), MqttMessageIdVariableHeader.from(m.variableHeader().messageId())));
    }
}
