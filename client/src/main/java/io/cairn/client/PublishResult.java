package io.cairn.client;

/**
 * The outcome of a publish: QoS 0 once written to the socket, QoS 1 on PUBACK, QoS 2 on PUBCOMP. Later protocol
 * versions add reason codes here.
 */
public final class PublishResult {

    private static final PublishResult QOS0 = new PublishResult(Qos.AT_MOST_ONCE, 0);

    private final Qos qos;
    private final int packetId;

    /** A result; created by the client. */
    public PublishResult(Qos qos, int packetId) {
        this.qos = qos;
        this.packetId = packetId;
    }

    /** The shared result of a QoS 0 publish. */
    public static PublishResult atMostOnce() {
        return QOS0;
    }

    /** The QoS the message was published with. */
    public Qos qos() {
        return qos;
    }

    /** The packet identifier of the acknowledged flow; 0 for QoS 0. */
    public int packetId() {
        return packetId;
    }

    @Override
    public String toString() {
        return "PublishResult[qos=" + qos.value() + ", packetId=" + packetId + "]";
    }
}
