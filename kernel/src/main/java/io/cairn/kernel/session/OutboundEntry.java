package io.cairn.kernel.session;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedGroup;

/**
 * One outgoing message of a session, queued or in flight. Touched only on the session's event loop. Holds one
 * reference to its publication until {@link #releasePayload()}; a QoS 2 entry keeps it until PUBCOMP so the
 * store can always be given the whole entry.
 */
final class OutboundEntry {

    final long sequence;
    final QoS qos;
    final boolean retainFlag;
    /** MQTT 5 Subscription Identifiers to send with it, or {@code null}; not kept by stores yet. */
    int[] subscriptionIds;
    /** The shared subscription it came through, or {@code null}: it may be passed on to another member. */
    SharedGroup group;
    Publication publication;
    int packetId;
    OutboundState state = OutboundState.QUEUED;

    OutboundEntry(long sequence, Publication publication, QoS qos, boolean retainFlag) {
        this.sequence = sequence;
        this.publication = publication;
        this.qos = qos;
        this.retainFlag = retainFlag;
    }

    /** The entry is gone (acknowledged, dropped or discarded with its session). Idempotent. */
    void releasePayload() {
        Publication p = publication;
        if (p != null) {
            publication = null;
            p.release();
        }
    }

    OutboundMessage toStored() {
        return new OutboundMessage(sequence, publication.toMessage().withQos(qos).withRetain(retainFlag), packetId,
                state, publication.receivedAt());
    }
}
