package io.cairn.api.persistence;

/**
 * Where an outgoing QoS 1/2 message of a session stands (MQTT 3.1.1 §4.3, MQTT 5.0 §4.3).
 */
public enum OutboundState {
    /** Queued for the session, not yet sent: it has no packet identifier. */
    QUEUED,
    /** PUBLISH sent under a packet identifier; waiting for PUBACK (QoS 1) or PUBREC (QoS 2). */
    SENT,
    /** QoS 2 only: PUBREC received and PUBREL sent; waiting for PUBCOMP. The payload is no longer needed. */
    RELEASED
}
