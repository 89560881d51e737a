package io.cairn.kernel.delivery;

/**
 * Asks the router to write the copies of a message for persistent sessions to the session store itself, on the
 * publisher's thread, in one atomic change together with the publisher's incoming QoS 2 packet id
 * ({@link io.cairn.api.persistence.SessionStore#addDeliveries}). Used with a durable store: the store's next sync
 * then covers every copy, so the acknowledgement to the publisher can follow it, and a crash leaves either the
 * packet id and every copy or none of them. Lives on the publisher's thread for one routing.
 */
public final class StoredRouting {

    private final String publisher;
    private final int inboundPacketId;
    private boolean stored;

    /**
     * @param publisher       the publisher's client id when its incoming QoS 2 packet id is to be stored with the
     *                        copies (its session is persistent), else {@code null}
     * @param inboundPacketId that packet id, or 0
     */
    public StoredRouting(String publisher, int inboundPacketId) {
        this.publisher = publisher;
        this.inboundPacketId = inboundPacketId;
    }

    String publisher() {
        return publisher;
    }

    int inboundPacketId() {
        return inboundPacketId;
    }

    /** Whether anything was written to the store: then a sync must pass before the acknowledgement. */
    public boolean stored() {
        return stored;
    }

    void markStored() {
        stored = true;
    }
}
