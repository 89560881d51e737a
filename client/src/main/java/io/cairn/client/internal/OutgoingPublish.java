package io.cairn.client.internal;

import io.cairn.client.MessageProperties;
import io.cairn.client.PublishResult;
import io.cairn.client.Qos;
import io.cairn.client.UserProperty;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One publish of the session: waiting in the local queue, or in flight (a node of the in-flight list, in send
 * order). Confined to the event loop.
 */
final class OutgoingPublish {

    final String topic;
    /** The caller's payload, not copied; each send wraps a fresh view of it. */
    final ByteBuffer payload;
    final Qos qos;
    final boolean retain;
    /** MQTT 5 message properties; {@link MessageProperties#none()} otherwise. */
    final MessageProperties properties;
    final CompletableFuture<PublishResult> future;

    /** The packet identifier while in flight, 0 before. */
    int packetId;
    /** QoS 2: PUBREC arrived, PUBREL sent, waiting for PUBCOMP. */
    boolean released;
    /** MQTT 5: the PUBREC's reason code, Reason String and User Properties, for the result. */
    int ackCode;
    String ackReason;
    List<UserProperty> ackUser = List.of();

    OutgoingPublish prev;
    OutgoingPublish next;

    OutgoingPublish(String topic, ByteBuffer payload, Qos qos, boolean retain, MessageProperties properties,
                    CompletableFuture<PublishResult> future) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.properties = properties;
        this.future = future;
    }
}
