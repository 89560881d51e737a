package io.cairn.api.message;

/**
 * The quality of service of a message delivery (MQTT 3.1.1 §4.3, MQTT 5.0 §4.3).
 */
public enum QoS {
    /** At most once: fire and forget. */
    AT_MOST_ONCE(0),
    /** At least once: acknowledged by PUBACK, may be duplicated. */
    AT_LEAST_ONCE(1),
    /** Exactly once: the four-step PUBREC/PUBREL/PUBCOMP flow. */
    EXACTLY_ONCE(2);

    private static final QoS[] BY_VALUE = values();

    private final int value;

    QoS(int value) {
        this.value = value;
    }

    /** The value as it appears on the wire: 0, 1 or 2. */
    public int value() {
        return value;
    }

    /**
     * Returns the QoS for a wire value.
     *
     * @throws IllegalArgumentException if {@code value} is not 0, 1 or 2
     */
    public static QoS of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + value);
        }
        return BY_VALUE[value];
    }

    /** The lower of two QoS levels: what a subscriber receives (MQTT 3.1.1 §3.8.4). */
    public static QoS min(QoS a, QoS b) {
        return a.value <= b.value ? a : b;
    }
}
