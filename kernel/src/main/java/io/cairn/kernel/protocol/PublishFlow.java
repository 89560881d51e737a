package io.cairn.kernel.protocol;

import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.routing.Topics;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * An incoming PUBLISH (MQTT 3.1.1 §3.3, §4.3): routed to the subscribers, then acknowledged per its QoS. A QoS 2
 * message whose packet id is still held (a re-sent PUBLISH before PUBREL) is acknowledged but not routed again.
 */
final class PublishFlow {

    private PublishFlow() {
    }

    /** Handles {@code m}, taking over its payload reference. */
    static void publish(MqttConnection c, MqttPublishMessage m) {
        String topic = m.variableHeader().topicName();
        BrokerSettings settings = c.kernel.settings();
        String problem = Topics.validateTopicName(topic, settings.maxTopicLength(), settings.maxTopicLevels());
        if (problem != null) {
            m.release();
            c.violation("MQTT-3.3.2-2", "invalid topic name: " + problem);
            return;
        }
        QoS qos = QoS.of(m.fixedHeader().qosLevel().value());
        if (qos == QoS.AT_MOST_ONCE && m.fixedHeader().isDup()) {
            m.release();
            c.violation("MQTT-3.3.1-2", "sent a QoS 0 PUBLISH with DUP set");
            return;
        }
        int packetId = m.variableHeader().packetId();
        Publication publication = new Publication(topic, m.payload(), qos, m.fixedHeader().isRetain(),
                MessageProperties.NONE, System.currentTimeMillis());
        try {
            c.kernel.countReceived();
            switch (qos) {
                case AT_MOST_ONCE -> c.kernel.publish(publication);
                case AT_LEAST_ONCE -> {
                    c.kernel.publish(publication);
                    c.write(Acks.ack(c.ctx.alloc(), Acks.PUBACK, packetId));
                }
                case EXACTLY_ONCE -> {
                    if (c.session.receiveQos2(packetId)) {
                        c.kernel.publish(publication);
                    }
                    c.write(Acks.ack(c.ctx.alloc(), Acks.PUBREC, packetId));
                }
            }
        } finally {
            publication.release();
        }
    }
}
