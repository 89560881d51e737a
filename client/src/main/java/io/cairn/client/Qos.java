package io.cairn.client;

/** An MQTT quality-of-service level. */
public enum Qos {
    /** QoS 0: delivered at most once, no acknowledgement. */
    AT_MOST_ONCE(0),
    /** QoS 1: delivered at least once, acknowledged with PUBACK. */
    AT_LEAST_ONCE(1),
    /** QoS 2: delivered exactly once, through PUBREC, PUBREL and PUBCOMP. */
    EXACTLY_ONCE(2);

    private static final Qos[] BY_VALUE = values();

    private final int value;

    Qos(int value) {
        this.value = value;
    }

    /** The level as it appears on the wire: 0, 1 or 2. */
    public int value() {
        return value;
    }

    /**
     * The level for a wire value.
     *
     * @throws IllegalArgumentException if {@code value} is not 0, 1 or 2
     */
    public static Qos of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + value);
        }
        return BY_VALUE[value];
    }
}
