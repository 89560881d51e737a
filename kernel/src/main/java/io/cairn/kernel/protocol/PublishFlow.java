package io.cairn.kernel.protocol;

import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.StoredRouting;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.routing.Topics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.nio.charset.StandardCharsets;

/**
 * An incoming PUBLISH (MQTT 3.1.1 §3.3, §4.3): routed to the subscribers, then acknowledged per its QoS. A QoS 2
 * message whose packet id is still held (a re-sent PUBLISH before PUBREL) is acknowledged but not routed again.
 *
 * <p>PUBLISH packets of a connected MQTT 3.1/3.1.1 client arrive here straight from {@link MqttFramer}, which
 * reads them in place ({@link #publish(MqttConnection, String, byte[], ByteBuf, int, int)}); the others come
 * decoded by Netty's MQTT decoder.
 */
final class PublishFlow {

    private PublishFlow() {
    }

    /** Handles a decoded {@code m}, taking over its payload reference. */
    static void publish(MqttConnection c, MqttPublishMessage m) {
        String topic = m.variableHeader().topicName();
        if (c.protocolLevel >= 5) {
            topic = Publish5.resolveAlias(c, topic, m.variableHeader().properties());
            if (topic == null) {
                m.release();
                return;
            }
        }
        String problem = topicProblem(c, topic);
        if (problem != null) {
            m.release();
            refuseTopic(c, topic, problem);
            return;
        }
        MessageProperties properties = MessageProperties.NONE;
        if (c.protocolLevel >= 5) {
            properties = Publish5.read(c, m.variableHeader().properties(), m.payload());
            if (properties == null) {
                m.release();
                return;
            }
        }
        publish(c, topic, topic.getBytes(StandardCharsets.UTF_8), m.payload(), m.fixedHeader().qosLevel().value()
                | (m.fixedHeader().isDup() ? DUP : 0) | (m.fixedHeader().isRetain() ? RETAIN : 0),
                m.variableHeader().packetId(), properties);
    }

    /**
     * Answers a PUBLISH that the listener's authorizers denied: MQTT 5 gets 0x87 (Not authorized) in PUBACK or
     * PUBREC, which ends the flow; MQTT 3.1/3.1.1 cannot be told, so it gets the usual acknowledgement and the
     * message is dropped (MQTT-3.3.5-2). QoS 0 is dropped in silence either way.
     */
    private static void denied(MqttConnection c, QoS qos, int packetId) {
        int reason = c.protocolLevel >= 5 ? ReasonCode.NOT_AUTHORIZED.code() : 0;
        switch (qos) {
            case AT_MOST_ONCE -> { }
            case AT_LEAST_ONCE -> c.writeAck(Acks.PUBACK, packetId, reason);
            case EXACTLY_ONCE -> {
                if (reason == 0) {
                    c.session.receiveQos2(packetId); // held until PUBREL, as for a message that was routed
                }
                c.writeAck(Acks.PUBREC, packetId, reason);
            }
        }
    }

    /** The MQTT 5 reason code for a message that went to {@code subscribers} (0x10 for none, MQTT 5.0 §3.4.2.1). */
    private static int reason(int subscribers) {
        return subscribers == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS.code() : 0;
    }

    /**
     * Routes {@code publication} with a durable store and acknowledges it only when the store has made it durable:
     * the router writes the copies for persistent sessions, with a QoS 2 publisher's packet id, in one change on
     * this thread, so the sync that follows covers them all and a crash leaves all or none of it.
     */
    private static void publishDurably(MqttConnection c, Publication publication, int ackType, int packetId,
                                       boolean inboundId) {
        HeldAck ack = c.holdAck(ackType, packetId);
        StoredRouting routing = new StoredRouting(inboundId ? c.clientId : null, inboundId ? packetId : 0);
        publication.storedRouting(routing);
        int subscribers;
        try {
            subscribers = c.kernel.publish(publication);
        } catch (RuntimeException e) {
            c.abandonHeldAck(ack); // not routed: no acknowledgement, and none held behind it forever
            throw e;
        } finally {
            publication.storedRouting(null);
        }
        ack.reason = reason(subscribers);
        boolean retained = publication.retain() && c.kernel.retained().durable();
        // a QoS 2 packet id the session wrote itself (not with the copies) must be durable too
        boolean ownId = ackType == Acks.PUBREC && !inboundId && c.session.isPersistent();
        ack.release(routing.stored() || retained || ownId, retained);
    }

    /** Flag bit of {@code flags}: the PUBLISH is a re-delivery. */
    static final int DUP = 0x08;
    /** Flag bit of {@code flags}: the PUBLISH is to be retained. */
    static final int RETAIN = 0x10;

    /**
     * Closes {@code c} for a PUBLISH whose topic name is invalid: U+0000 makes the packet malformed (MQTT-1.5.4-2:
     * MQTT 5 reason 0x81), anything else (wildcards, an empty name, limits) is a protocol error (0x82).
     */
    static void refuseTopic(MqttConnection c, String topic, String problem) {
        if (topic.indexOf('\0') >= 0) {
            c.violation(ReasonCode.MALFORMED_PACKET, "MQTT-1.5.4-2", "invalid topic name: " + problem);
        } else {
            c.violation("MQTT-3.3.2-2", "invalid topic name: " + problem);
        }
    }

    /**
     * Acknowledges a message an interceptor dropped: QoS 1 with PUBACK, QoS 2 with PUBREC, carrying {@code reason}
     * to an MQTT 5 client. A QoS 2 drop with a success code completes with PUBREL/PUBCOMP like a routed message; an
     * error code ends the flow at PUBREC (MQTT 5.0 §4.3.3).
     */
    private static void droppedByInterceptor(MqttConnection c, QoS qos, int packetId, ReasonCode reason) {
        switch (qos) {
            case AT_MOST_ONCE -> {
            }
            case AT_LEAST_ONCE -> c.writeAck(Acks.PUBACK, packetId, reason.code());
            case EXACTLY_ONCE -> {
                if (!reason.isError()) {
                    c.session.receiveQos2(packetId, false);
                }
                c.writeAck(Acks.PUBREC, packetId, reason.code());
            }
        }
    }

    /**
     * The publication for a message an interceptor put in place of the client's, or {@code null} when its topic is
     * no valid topic name (logged: the interceptor is at fault, the message is dropped).
     */
    private static Publication replacement(MqttConnection c, Message message, long receivedAt) {
        String problem = Kernel.isSysTopic(message.topic()) ? "the broker's own $SYS tree"
                : topicProblem(c, message.topic());
        if (problem != null) {
            EventLog.PROTOCOL.warn("An interceptor replaced a message of client '{}' with one to '{}', which is no "
                    + "valid topic name ({}): dropped", c.clientId, message.topic(), problem);
            return null;
        }
        return new Publication(message.topic(), message.topic().getBytes(StandardCharsets.UTF_8),
                Unpooled.wrappedBuffer(message.payload()), message.qos(), message.retain(), message.properties(),
                receivedAt, c.clientId);
    }

    /** Why {@code topic} is not a valid topic name under {@code c}'s limits, or {@code null}. */
    static String topicProblem(MqttConnection c, String topic) {
        BrokerSettings settings = c.kernel.settings();
        return Topics.validateTopicName(topic, settings.maxTopicLength(), settings.maxTopicLevels());
    }

    /**
     * Handles a PUBLISH whose topic was already validated, taking over the {@code payload} reference.
     *
     * @param topicUtf8 the topic's UTF-8 bytes, shared and never modified
     * @param flags     the QoS value, possibly or-ed with {@link #DUP} and {@link #RETAIN}
     */
    static void publish(MqttConnection c, String topic, byte[] topicUtf8, ByteBuf payload, int flags,
                        int packetId) {
        publish(c, topic, topicUtf8, payload, flags, packetId, MessageProperties.NONE);
    }

    /** As {@link #publish(MqttConnection, String, byte[], ByteBuf, int, int)}, with MQTT 5 properties. */
    static void publish(MqttConnection c, String topic, byte[] topicUtf8, ByteBuf payload, int flags,
                        int packetId, MessageProperties properties) {
        QoS qos = QoS.of(flags & 0x03);
        if (qos == QoS.AT_MOST_ONCE && (flags & DUP) != 0) {
            payload.release();
            c.violation("MQTT-3.3.1-2", "sent a QoS 0 PUBLISH with DUP set");
            return;
        }
        if (qos == QoS.EXACTLY_ONCE && c.protocolLevel >= 5 && !c.session.holdsQos2(packetId)
                && c.session.inboundQos2Count() >= c.kernel.settings().receiveMaximum()) {
            payload.release();
            c.violation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, null, "sent a QoS 2 PUBLISH with "
                    + c.session.inboundQos2Count() + " awaiting PUBREL, the Receive Maximum");
            return;
        }
        if (!c.mayPublish(topic, qos, (flags & RETAIN) != 0)) {
            payload.release();
            denied(c, qos, packetId);
            return;
        }
        Publication publication = new Publication(topic, topicUtf8, payload, qos, (flags & RETAIN) != 0,
                properties, System.currentTimeMillis(), c.clientId);
        c.counters.received(qos);
        Interceptors.Chains chains = c.kernel.interceptors().chains();
        if (chains.publish().isEmpty() && chains.asyncPublish().isEmpty()
                // a re-sent QoS 2 PUBLISH whose first copy was taken is not intercepted (nor routed) again
                || qos == QoS.EXACTLY_ONCE && c.session.holdsQos2(packetId)) {
            route(c, publication, qos, packetId);
            return;
        }
        if (!chains.publish().isEmpty()) {
            PublishOutcome outcome = c.kernel.interceptors().publish(chains, c, publication.toMessage());
            publication = applied(c, outcome, publication, qos, packetId);
            if (publication == null) {
                return;
            }
        }
        if (!chains.asyncPublish().isEmpty()) {
            // the client's next packets wait until this message's outcome: its messages keep their order
            Publication waiting = publication;
            c.awaitInterceptors();
            c.kernel.interceptors().publishAsync(chains, c, waiting.toMessage(), c.eventLoop(), outcome -> {
                Publication decided = applied(c, outcome, waiting, qos, packetId);
                if (decided != null) {
                    route(c, decided, qos, packetId);
                }
                c.interceptorsDone();
            });
            return;
        }
        route(c, publication, qos, packetId);
    }

    /**
     * Applies an interceptor chain's outcome to {@code publication}: the publication to route (itself or its
     * replacement, the original released), or {@code null} when it was dropped (released and acknowledged).
     */
    private static Publication applied(MqttConnection c, PublishOutcome outcome, Publication publication, QoS qos,
                                       int packetId) {
        if (outcome.dropped()) {
            publication.release();
            droppedByInterceptor(c, qos, packetId, outcome.dropReason());
            return null;
        }
        if (outcome.replacement() == null) {
            return publication;
        }
        Publication replaced = replacement(c, outcome.replacement(), publication.receivedAt());
        publication.release();
        if (replaced == null) {
            droppedByInterceptor(c, qos, packetId, ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
        }
        return replaced;
    }

    /** Routes {@code publication} in the client's QoS flow and acknowledges it; releases it. */
    private static void route(MqttConnection c, Publication publication, QoS qos, int packetId) {
        try {
            switch (qos) {
                case AT_MOST_ONCE -> c.kernel.publish(publication);
                case AT_LEAST_ONCE -> {
                    if (c.kernel.holdsAcks(publication.retain())) {
                        publishDurably(c, publication, Acks.PUBACK, packetId, false);
                    } else {
                        c.writeAck(Acks.PUBACK, packetId, reason(c.kernel.publish(publication)));
                    }
                }
                case EXACTLY_ONCE -> {
                    boolean durably = c.kernel.holdsAcks(publication.retain());
                    // the packet id goes into the store with the copies, if the store holds this session already
                    boolean withCopies = durably && c.session.isPersistent()
                            && c.session.savedTo() == c.kernel.store();
                    if (!c.session.receiveQos2(packetId, withCopies)) {
                        c.writeAck(Acks.PUBREC, packetId, 0); // a re-sent PUBLISH: not routed again
                    } else if (durably) {
                        publishDurably(c, publication, Acks.PUBREC, packetId, withCopies);
                    } else {
                        c.writeAck(Acks.PUBREC, packetId, reason(c.kernel.publish(publication)));
                    }
                }
            }
        } finally {
            publication.release();
        }
    }
}
