package io.cairn.client.internal;

import io.cairn.client.MessageListener;
import io.cairn.client.MessageProperties;
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
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client as receiver of the server's PUBLISH flows: delivers each message to the matching listeners (or the
 * default listener), acknowledges it after they return, and keeps the exactly-once state of QoS 2 between PUBREC
 * and PUBREL (MQTT-4.3.3-10 to -12). For MQTT 5 it also resolves Topic Aliases (MQTT-3.3.2-10) and enforces the
 * client's Receive Maximum. Confined to the event loop.
 *
 * <p>With manual acknowledgement a QoS 1/2 message's PUBACK or PUBREC waits for
 * {@code ReceivedMessage#acknowledge()}: the flow keeps the messages not yet acknowledged to the server in
 * arrival order and sends acknowledgements from the head of that queue only, so they leave in the order the
 * PUBLISH packets arrived (MQTT-4.6.0-2, -3) whatever order the application acknowledges in. The queue belongs
 * to the session: it survives a reconnect that finds the session present and is dropped when a new session
 * begins.
 */
final class InboundFlow {

    private static final Logger LOG = LoggerFactory.getLogger(InboundFlow.class);
    /** What {@link #received5} returns for a PUBLISH that is not delivered again, once its alias is resolved. */
    private static final ReceivedMessage NOT_DELIVERED =
            new ReceivedMessage("", new byte[0], Qos.AT_MOST_ONCE, false, true);

    /** What the flow sends through the engine. */
    interface Out {
        /** Writes {@code message} on the current connection (flushed with the read batch). */
        void write(Object message);

        /** Ends {@code ch} because the server broke the protocol, with DISCONNECT {@code reasonCode} in MQTT 5. */
        void protocolError(Channel ch, int reasonCode, String what);

        /** Whether a connection is up that acknowledgements can be written on. */
        boolean connected();

        /** Runs {@code task} on the event loop (inline when already there); drops it once the client is closed. */
        void execute(Runnable task);
    }

    private final ClientOptions options;
    private final boolean v5;
    private final SubscriptionRegistry subscriptions;
    private final Out out;
    private final MessageFactory messages;
    /** QoS 2 packet identifiers between PUBREC and PUBREL. */
    private final BitSet qos2 = new BitSet(PacketIds.MAX + 1);
    private int qos2Count;
    /** MQTT 5: topic by incoming alias on the current connection, or null when the client allows none. */
    private String[] aliases;
    /** Manual acknowledgement: the QoS 1/2 messages whose PUBACK/PUBREC is not sent yet, in arrival order. */
    private final ArrayDeque<PendingAck> pending = new ArrayDeque<>();
    /** Manual acknowledgement: the entries of {@link #pending} by packet identifier; null otherwise. */
    private final PendingAck[] pendingById;

    InboundFlow(ClientOptions options, SubscriptionRegistry subscriptions, Out out) {
        this.options = options;
        this.v5 = options.mqtt5();
        this.subscriptions = subscriptions;
        this.out = out;
        this.messages = options.messages();
        this.pendingById = options.manualAcknowledgement() ? new PendingAck[PacketIds.MAX + 1] : null;
    }

    /** A new connection: the server's alias mappings start empty (MQTT-3.3.2-7). */
    void newConnection() {
        int max = v5 ? options.v5().topicAliasMaximum() : 0;
        aliases = max > 0 ? new String[max + 1] : null;
    }

    /**
     * A new session: the exactly-once state of the old one is gone, and so are its pending acknowledgements (the
     * server no longer expects them; acknowledging those messages does nothing).
     */
    void newSession() {
        qos2.clear();
        qos2Count = 0;
        if (!pending.isEmpty()) {
            LOG.debug("Client {}: a new session; {} message(s) awaiting acknowledgement need none any more",
                    options.clientId(), pending.size());
        }
        for (PendingAck p; (p = pending.pollFirst()) != null; ) {
            p.dropped = true;
            pendingById[p.packetId] = null;
        }
    }

    /** Handles a PUBLISH and releases it. */
    void onPublish(Channel ch, MqttPublishMessage m) {
        MqttPublishVariableHeader header = m.variableHeader();
        int qos = m.fixedHeader().qosLevel().value();
        int id = header.packetId();
        boolean released = qos == 2 && qos2.get(id);
        boolean awaitingAck = qos > 0 && pendingById != null && pendingById[id] != null;
        ReceivedMessage received;
        PendingAck ack = null;
        try {
            if (released || awaitingAck) {
                if (v5 && received5(ch, m, true, null) == null) {
                    return; // its Topic Alias broke the protocol; the mapping it sets is kept otherwise
                }
                if (released) {
                    LOG.debug("Client {} got QoS 2 packet {} again before PUBREL; not delivered twice",
                            options.clientId(), id);
                    out.write(ack(MqttMessageType.PUBREC, id));
                } else {
                    LOG.debug("Client {} got packet {} again while it awaits acknowledgement; not delivered twice",
                            options.clientId(), id);
                }
                return;
            }
            if (qos > 0 && pendingById != null) {
                ack = new PendingAck(id, qos);
            }
            if (v5) {
                received = received5(ch, m, false, ack);
                if (received == null) {
                    return; // a protocol error closed the connection
                }
            } else {
                received = messages.create(header.topicName(), ByteBufUtil.getBytes(m.payload()), Qos.of(qos),
                        m.fixedHeader().isRetain(), m.fixedHeader().isDup(), MessageProperties.none(), List.of(),
                        qos == 0 ? 0 : id, ack);
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
        if (ack != null) {
            pending.addLast(ack);
            pendingById[id] = ack;
            if (!deliver(received)) {
                acknowledged(ack); // nobody can acknowledge it, and it must not hold back the others
            }
            return;
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

    /** Manual acknowledgement: {@code p} is acknowledged; sends what the head of the queue allows. */
    private void acknowledged(PendingAck p) {
        if (p.dropped) {
            return;
        }
        p.acknowledged = true;
        sendAcknowledged();
    }

    /**
     * Manual acknowledgement: sends the PUBACK/PUBREC of the acknowledged messages at the head of the queue, up to
     * the first one not acknowledged yet; without a connection they wait for the next one.
     */
    void sendAcknowledged() {
        if (!out.connected()) {
            return;
        }
        for (PendingAck p; (p = pending.peekFirst()) != null && p.acknowledged; ) {
            pending.pollFirst();
            pendingById[p.packetId] = null;
            if (p.qos == 1) {
                out.write(ack(MqttMessageType.PUBACK, p.packetId));
            } else {
                qos2.set(p.packetId);
                qos2Count++;
                out.write(ack(MqttMessageType.PUBREC, p.packetId));
            }
        }
    }

    /** One QoS 1/2 message awaiting manual acknowledgement; run by {@code ReceivedMessage#acknowledge()}. */
    private final class PendingAck implements Runnable {
        final int packetId;
        final int qos;
        /** Whether the application acknowledged it (its PUBACK/PUBREC may still wait for earlier ones). */
        boolean acknowledged;
        /** Whether its session ended: the server expects no acknowledgement any more. */
        boolean dropped;

        PendingAck(int packetId, int qos) {
            this.packetId = packetId;
            this.qos = qos;
        }

        @Override
        public void run() {
            out.execute(() -> acknowledged(this));
        }
    }

    /**
     * An MQTT 5 PUBLISH as a message: the topic resolved from its Topic Alias, the client's Receive Maximum
     * checked; {@code null} after a protocol error.
     */
    private ReceivedMessage received5(Channel ch, MqttPublishMessage m, boolean again, PendingAck ack) {
        MqttPublishVariableHeader header = m.variableHeader();
        MqttProperties props = header.properties();
        int qos = m.fixedHeader().qosLevel().value();
        if (!again && qos > 0 && qos2Count + pending.size() >= options.v5().receiveMaximum()) {
            // MQTT 5.0 §3.3.4: more unacknowledged QoS 1/2 PUBLISH than the client's Receive Maximum. QoS 1 is
            // acknowledged as soon as the listeners return, so the unacknowledged ones are QoS 2 before PUBREL,
            // and, with manual acknowledgement, the messages the application has not acknowledged yet.
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
        if (again) {
            return NOT_DELIVERED;
        }
        return messages.create(topic, ByteBufUtil.getBytes(m.payload()), Qos.of(qos),
                m.fixedHeader().isRetain(), m.fixedHeader().isDup(), Properties5.message(props),
                Properties5.subscriptionIdentifiers(props), qos == 0 ? 0 : header.packetId(), ack);
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

    /** Hands {@code message} to its listeners; false if there were none and it was dropped. */
    private boolean deliver(ReceivedMessage message) {
        List<MessageListener> listeners = subscriptions.listenersFor(message.topic());
        if (listeners.isEmpty()) {
            MessageListener fallback = options.defaultListener();
            if (fallback == null) {
                LOG.debug("Client {} got a message on {} that no subscription matches; dropped", options.clientId(),
                        message.topic());
                return false;
            }
            invoke(fallback, message);
            return true;
        }
        for (int i = 0; i < listeners.size(); i++) {
            invoke(listeners.get(i), message);
        }
        return true;
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
