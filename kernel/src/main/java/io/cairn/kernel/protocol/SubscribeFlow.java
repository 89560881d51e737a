package io.cairn.kernel.protocol;

import io.cairn.api.intercept.SubscribeOutcome;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.delivery.SharedSubscriptions;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.routing.Topics;
import io.cairn.kernel.session.Session;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.List;

/**
 * SUBSCRIBE and UNSUBSCRIBE (MQTT 3.1.1 §3.8, §3.10): each filter is checked on its own and answered in SUBACK
 * with the granted QoS or 0x80; the retained messages matching each granted filter follow the SUBACK. Filters
 * starting with {@code $share/} are shared subscriptions (MQTT 5.0 §4.8.2), for 3.1.1 clients too.
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
        boolean v5 = c.protocolLevel >= 5;
        int subscriptionId = 0;
        if (v5) {
            MqttProperties.MqttProperty<?> id = m.idAndPropertiesVariableHeader().properties()
                    .getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER);
            if (id != null) {
                subscriptionId = (Integer) id.value();
                if (subscriptionId == 0) {
                    c.violation(ReasonCode.PROTOCOL_ERROR, null, "Subscription Identifier 0");
                    return;
                }
            }
        }
        BrokerSettings settings = c.kernel.settings();
        Session session = c.session;
        int[] codes = new int[requested.size()];
        Subscription[] granted = new Subscription[requested.size()];
        boolean[] sendRetained = new boolean[requested.size()];
        Interceptors.Chains chains = c.kernel.interceptors().chains();
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription t = requested.get(i);
            boolean shared = SharedSubscriptions.isShared(t.topicFilter());
            String problem = shared
                    ? SharedSubscriptions.problem(t.topicFilter(), settings.maxTopicLength(), settings.maxTopicLevels())
                    : Topics.validateTopicFilter(t.topicFilter(), settings.maxTopicLength(), settings.maxTopicLevels());
            int refusal = v5 ? ReasonCode.TOPIC_FILTER_INVALID.code() : FAILURE;
            if (shared && v5 && t.option().isNoLocal()) {
                c.violation(ReasonCode.PROTOCOL_ERROR, "MQTT-3.8.3-4",
                        "No Local on shared subscription '" + t.topicFilter() + "'");
                return;
            }
            if (problem != null) {
                EventLog.PROTOCOL.info("Client '{}' subscribed to an invalid filter '{}': {} [SUBACK 0x{}]",
                        c.clientId, t.topicFilter(), problem, Integer.toHexString(refusal));
                codes[i] = refusal;
                continue;
            }
            MqttSubscriptionOption o = t.option();
            String checked = shared ? SharedSubscriptions.filterOf(t.topicFilter()) : t.topicFilter();
            if (!c.guard.chain().maySubscribe(c.identity, checked, QoS.of(o.qos().value()))) {
                // MQTT 5: 0x87 Not authorized; 3.1.1: 0x80 Failure (MQTT 3.1.1 §3.9.3)
                int code = v5 ? ReasonCode.NOT_AUTHORIZED.code() : FAILURE;
                EventLog.AUTH.info("Client '{}' on {} may not subscribe to '{}' [SUBACK 0x{}]", c.clientId,
                        c.listener, t.topicFilter(), Integer.toHexString(code));
                codes[i] = code;
                continue;
            }
            // MQTT 3.1.1 has only the QoS; Netty reads the other option bits as 0 for it
            Subscription s = new Subscription(t.topicFilter(), QoS.of(o.qos().value()), v5 && o.isNoLocal(),
                    v5 && o.isRetainAsPublished(), v5 ? o.retainHandling().value() : 0, subscriptionId);
            if (!chains.subscribe().isEmpty()) {
                SubscribeOutcome outcome = c.kernel.interceptors().subscribe(chains, c, s);
                if (outcome.refused()) {
                    int code = v5 ? outcome.refusal().code() : FAILURE;
                    EventLog.AUTH.info("Client '{}' on {}: an interceptor refused its subscription to '{}' "
                            + "[SUBACK 0x{}]", c.clientId, c.listener, t.topicFilter(), Integer.toHexString(code));
                    codes[i] = code;
                    continue;
                }
                if (outcome.replacement() != null) {
                    Subscription n = outcome.replacement();
                    String bad = Topics.validateTopicFilter(n.topicFilter(), settings.maxTopicLength(),
                            settings.maxTopicLevels());
                    if (bad != null || SharedSubscriptions.isShared(n.topicFilter()) != shared) {
                        EventLog.PROTOCOL.warn("An interceptor narrowed the subscription of client '{}' to '{}' to "
                                + "'{}', which is not a valid filter of the same kind ({}): refused", c.clientId,
                                t.topicFilter(), n.topicFilter(), bad == null ? "shared and plain mixed" : bad);
                        codes[i] = v5 ? ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR.code() : FAILURE;
                        continue;
                    }
                    // the subscription identifier is the client's (MQTT 5.0 §3.8.2.1.2)
                    s = new Subscription(n.topicFilter(), n.qos(), v5 && n.noLocal(), v5 && n.retainAsPublished(),
                            v5 ? n.retainHandling() : 0, subscriptionId);
                }
            }
            boolean existed = session.subscribe(s);
            if (!chains.events().isEmpty()) {
                Subscription added = s;
                c.kernel.interceptors().event(chains, c.listener, "subscriptionAdded of client '" + c.clientId + "'",
                        l -> l.subscriptionAdded(c.clientId, added));
            }
            granted[i] = s;
            codes[i] = s.qos().value();
            // Retain Handling (MQTT 5.0 §3.8.3.1): 0 always, 1 only for a new subscription, 2 never; a shared
            // subscription gets no retained messages (MQTT 5.0 §4.8.2)
            sendRetained[i] = !shared && (s.retainHandling() == 0 || s.retainHandling() == 1 && !existed);
        }
        c.write(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), MqttMessageIdVariableHeader.from(m.variableHeader().messageId()),
                new MqttSubAckPayload(codes)));
        for (int i = 0; i < granted.length; i++) {
            Subscription s = granted[i];
            if (s != null && sendRetained[i]) {
                // MQTT-3.3.1-6, MQTT-3.8.4-3: retained messages go out with retain 1, also on a re-subscribe
                c.kernel.retained().match(s.topicFilter(), r -> {
                    if (c.mayReceive(r.topic(), s.topicFilter())) {
                        session.offer(r, QoS.min(r.qos(), s.qos()), true, s.subscriptionIdentifier() > 0
                                ? new int[] {s.subscriptionIdentifier()} : null);
                    }
                });
            }
        }
    }

    static void unsubscribe(MqttConnection c, MqttUnsubscribeMessage m) {
        List<String> filters = m.payload().topics();
        if (filters.isEmpty()) {
            c.violation("MQTT-3.10.3-2", "sent UNSUBSCRIBE without a topic filter");
            return;
        }
        short[] codes = new short[filters.size()];
        Interceptors.Chains chains = c.kernel.interceptors().chains();
        for (int i = 0; i < codes.length; i++) {
            if (!chains.unsubscribe().isEmpty()) {
                ReasonCode refusal = c.kernel.interceptors().unsubscribe(chains, c, filters.get(i));
                if (refusal != null) {
                    // the subscription stays; MQTT 3.1.1's UNSUBACK cannot say so (it has no reason codes)
                    EventLog.AUTH.info("Client '{}' on {}: an interceptor kept its subscription to '{}' "
                            + "[UNSUBACK 0x{}]", c.clientId, c.listener, filters.get(i),
                            Integer.toHexString(refusal.code()));
                    codes[i] = (short) refusal.code();
                    continue;
                }
            }
            boolean existed = c.session.unsubscribe(filters.get(i));
            if (existed && !chains.events().isEmpty()) {
                String removed = filters.get(i);
                c.kernel.interceptors().event(chains, c.listener, "subscriptionRemoved of client '" + c.clientId
                        + "'", l -> l.subscriptionRemoved(c.clientId, removed));
            }
            codes[i] = (short) (existed ? ReasonCode.SUCCESS.code() : ReasonCode.NO_SUBSCRIPTION_EXISTED.code());
        }
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        MqttMessageIdVariableHeader id = MqttMessageIdVariableHeader.from(m.variableHeader().messageId());
        // MQTT 5: one reason code per filter (MQTT 5.0 §3.11.3); 3.1.1 UNSUBACK has no payload
        c.write(c.protocolLevel >= 5 ? new MqttUnsubAckMessage(header, id, new MqttUnsubAckPayload(codes))
                : new MqttUnsubAckMessage(header, id));
    }
}
