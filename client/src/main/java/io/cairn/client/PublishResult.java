package io.cairn.client;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a publish: QoS 0 once written to the socket, QoS 1 on PUBACK, QoS 2 on PUBCOMP (or on a PUBREC
 * that reports failure). An MQTT 5 server may refuse a message it acknowledges: a PUBACK or PUBREC with a reason
 * code of 0x80 or above still completes the publish (the message counts as acknowledged and is not sent again,
 * MQTT-4.4.0-2), and this result says so with {@link #isSuccess()} false and the {@link #reasonCode()}.
 */
public final class PublishResult {

    private static final PublishResult QOS0 = new PublishResult(Qos.AT_MOST_ONCE, 0);

    private final Qos qos;
    private final int packetId;
    private final int reasonCode;
    private final String reasonString;
    private final List<UserProperty> userProperties;

    /** A result; created by the client. */
    public PublishResult(Qos qos, int packetId) {
        this(qos, packetId, ReasonCodes.SUCCESS, null, List.of());
    }

    /**
     * A result with the reason code, Reason String and User Properties of an MQTT 5 acknowledgement; created by the
     * client.
     *
     * @since 1.1.0
     */
    public PublishResult(Qos qos, int packetId, int reasonCode, String reasonString,
                         List<UserProperty> userProperties) {
        this.qos = qos;
        this.packetId = packetId;
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
        this.userProperties = List.copyOf(userProperties);
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

    /**
     * The reason code of the acknowledgement that ended the flow: the PUBACK's (QoS 1), a failing PUBREC's, or
     * the PUBCOMP's (QoS 2); {@code 0x00} for QoS 0 and for MQTT 3.1.1. {@code 0x10} (no matching subscribers)
     * is a success.
     *
     * @since 1.1.0
     */
    public int reasonCode() {
        return reasonCode;
    }

    /**
     * Whether the server accepted the message: a reason code below 0x80.
     *
     * @since 1.1.0
     */
    public boolean isSuccess() {
        return reasonCode < 0x80;
    }

    /**
     * The Reason String of the acknowledgement; empty if absent.
     *
     * @since 1.1.0
     */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /**
     * The User Properties of the acknowledgement, in order.
     *
     * @since 1.1.0
     */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public String toString() {
        return "PublishResult[qos=" + qos.value() + ", packetId=" + packetId
                + (reasonCode == 0 ? "" : ", " + ReasonCodes.describe(reasonCode))
                + (reasonString == null ? "" : ", reason=" + reasonString) + "]";
    }
}
