package io.cairn.client.internal;

import io.cairn.client.MessageListener;
import io.cairn.client.Qos;
import io.cairn.client.ReasonCodes;
import io.cairn.client.ReceivedMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client as receiver of the server's PUBLISH flows: delivers each message to the matching listeners (or the
 * default listener), acknowledges it after they return, and keeps the exactly-once state of QoS 2 between PUBREC
 * and PUBREL (MQTT-4.3.3-10 to -12). For MQTT 5 it also resolves Topic Aliases (MQTT-3.3.2-10) and enforces the
 * client's Receive Maximum. Confined to the event loop.
 */
final class InboundFlow {

    private static final Logger LOG = LoggerFactory.getLogger(InboundFlow.class);

    /** What the flow sends through the engine. */
    interface Out {
        /** Writes {@code message} on the current connection (flushed with the read batch). */
        void write(Object message);

        /** Ends {@code ch} because the server broke the protocol, with DISCONNECT {@code reasonCode} in MQTT 5. */
        void protocolError(Channel ch, int reasonCode, String what);
    }

    private final ClientOptions options;
    private final boolean v5;
    private final SubscriptionRegistry subscriptions;
    private final Out out;
    /** QoS 2 packet identifiers between PUBREC and PUBREL. */
    private final BitSet qos2 = new BitSet(PacketIds.MAX + 1);
    private int qos2Count;
    /** MQTT 5: topic by incoming alias on the current connection, or null when the client allows none. */
    private String[] aliases;

    InboundFlow(ClientOptions options, SubscriptionRegistry subscriptions, Out out) {
        this.options = options;
        this.v5 = options.mqtt5();
        this.subscriptions = subscriptions;
        this.out = out;
    }

    /** A new connection: the server's alias mappings start empty (MQTT-3.3.2-7). */
    void newConnection() {
        int max = v5 ? options.v5().topicAliasMaximum() : 0;
        aliases = max > 0 ? new String[max + 1] : null;
    }

    /** A new session: the exactly-once state of the old one is gone. */
    void newSession() {
        qos2.clear();
        qos2Count = 0;
    }

    /** Handles a PUBLISH and releases it. */
    void onPublish(Channel ch, MqttPublishMessage m) {
        MqttPublishVariableHeader header = m.variableHeader();
        int qos = m.fixedHeader().qosLevel().value();
        int id = header.packetId();
        ReceivedMessage received;
        try {
            if (qos == 2 && qos2.get(id)) {
                LOG.debug("Client {} got QoS 2 packet {} again before PUBREL; not delivered twice",
                        options.clientId(), id);
                out.write(ack(MqttMessageType.PUBREC, id));
                return;
            }
            if (v5) {
                received = received5(ch, m);
                if (received == null) {
                    return; // a protocol error closed the connection
                }
            } else {
                received = new ReceivedMessage(header.topicName(), ByteBufUtil.getBytes(m.payload()), Qos.of(qos),
                        m.fixedHeader().isRetain(), m.fixedHeader().isDup());
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
        deliver(received);
        if (qos == 1) {
            out.write(ack(MqttMessageType.PUBACK, id));
        } else if (qos == 2) {
            qos2.set(id);
            qos2Count++;
            out.write(ack(MqttMessageType.PUBREC, id));
        }
    }

    /**
     * An MQTT 5 PUBLISH as a message: the topic resolved from its Topic Alias, the client's Receive Maximum
     * checked; {@code null} after a protocol error.
     */
    private ReceivedMessage received5(Channel ch, MqttPublishMessage m) {
        MqttPublishVariableHeader header = m.variableHeader();
        MqttProperties props = header.properties();
        int qos = m.fixedHeader().qosLevel().value();
        if (qos > 0 && qos2Count >= options.v5().receiveMaximum()) {
            // MQTT 5.0 §3.3.4: more unacknowledged QoS 1/2 PUBLISH than the client's Receive Maximum. QoS 1 is
            // acknowledged as soon as the listeners return, so the unacknowledged ones are QoS 2 before PUBREL.
            out.protocolError(ch, ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "more than the client's Receive Maximum of "
                    + options.v5().receiveMaximum() + " QoS 1/2 publishes unacknowledged");
            return null;
        }
        String topic = header.topicName();
        Integer alias = Properties5.integer(props, MqttProperties.TOPIC_ALIAS);
        if (alias != null) {
            if (alias == 0 || aliases == null || alias >= aliases.length) {
                // MQTT-3.3.2-10 accepts 1 to the client's Topic Alias Maximum; anything else is 0x94
                out.protocolError(ch, ReasonCodes.TOPIC_ALIAS_INVALID, "Topic Alias " + alias + " outside 1.."
                        + options.v5().topicAliasMaximum());
                return null;
            }
            if (topic.isEmpty()) {
                topic = aliases[alias];
                if (topic == null) {
                    out.protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "Topic Alias " + alias
                            + " with an empty topic before any mapping");
                    return null;
                }
            } else {
                aliases[alias] = topic;
            }
        } else if (topic.isEmpty()) {
            out.protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "PUBLISH with an empty topic and no Topic Alias");
            return null;
        }
        return new ReceivedMessage(topic, ByteBufUtil.getBytes(m.payload()), Qos.of(qos),
                m.fixedHeader().isRetain(), m.fixedHeader().isDup(), Properties5.message(props),
                Properties5.subscriptionIdentifiers(props));
    }

    /** A PUBREL: the QoS 2 identifier is free again; PUBCOMP (0x92 in MQTT 5 for an identifier not held). */
    void onPubRel(int id) {
        if (v5 && !qos2.get(id)) {
            out.write(Packets5.ack(MqttMessageType.PUBCOMP, id, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
            return;
        }
        if (qos2.get(id)) {
            qos2.clear(id);
            qos2Count--;
        }
        out.write(ack(MqttMessageType.PUBCOMP, id));
    }

    private void deliver(ReceivedMessage message) {
        List<MessageListener> listeners = subscriptions.listenersFor(message.topic());
        if (listeners.isEmpty()) {
            MessageListener fallback = options.defaultListener();
            if (fallback == null) {
                LOG.debug("Client {} got a message on {} that no subscription matches; dropped", options.clientId(),
                        message.topic());
            } else {
                invoke(fallback, message);
            }
            return;
        }
        for (int i = 0; i < listeners.size(); i++) {
            invoke(listeners.get(i), message);
        }
    }

    private void invoke(MessageListener listener, ReceivedMessage message) {
        try {
            listener.onMessage(message);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            LOG.warn("Message listener {} of client {} failed on a message to {}", listener, options.clientId(),
                    message.topic(), e);
        }
    }

    /** PUBACK, PUBREC or PUBCOMP in the two-byte success form. */
    static MqttMessage ack(MqttMessageType type, int id) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }
}
