package io.cairn.kernel.session;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedGroup;
import java.util.List;

/**
 * One outgoing message of a session, queued or in flight. Touched only on the session's event loop. Holds one
 * reference to its publication until {@link #releasePayload()}; a QoS 2 entry keeps it until PUBCOMP so the
 * store can always be given the whole entry.
 */
final class OutboundEntry {

    final long sequence;
    final QoS qos;
    final boolean retainFlag;
    /** MQTT 5 Subscription Identifiers to send with it, or {@code null}. */
    int[] subscriptionIds;
    /** The shared subscription it came through, or {@code null}: it may be passed on to another member. */
    SharedGroup group;
    Publication publication;
    int packetId;
    OutboundState state = OutboundState.QUEUED;
    /**
     * QoS 2 with a durable store: the state this entry is in is not yet known to be on disk, so its PUBLISH or
     * PUBREL waits (a crash would otherwise make the broker send it again under another id, or send the PUBLISH
     * again after the subscriber completed it: a duplicate).
     */
    boolean awaitingSync;

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
                state, publication.receivedAt(), ids(subscriptionIds));
    }

    static List<Integer> ids(int[] ids) {
        if (ids == null) {
            return List.of();
        }
        Integer[] boxed = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            boxed[i] = ids[i];
        }
        return List.of(boxed);
    }

    /** The identifiers a store kept, as an entry holds them ({@code null} for none). */
    static int[] ids(List<Integer> ids) {
        return ids.isEmpty() ? null : ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
