package io.cairn.client;

/**
 * MQTT 5 Retain Handling of a subscription (MQTT 5.0 §3.8.3.1): whether the server sends retained messages when
 * the subscription is made.
 *
 * @since 1.1.0
 */
public enum RetainHandling {
    /** 0: send retained messages at the time of every subscribe (the default, and MQTT 3.1.1's behaviour). */
    SEND_ON_SUBSCRIBE(0),
    /** 1: send them only if the subscription did not exist before. */
    SEND_IF_NEW_SUBSCRIPTION(1),
    /** 2: do not send retained messages at the time of the subscribe. */
    DO_NOT_SEND(2);

    private final int value;

    RetainHandling(int value) {
        this.value = value;
    }

    /** The value of the two option bits: 0, 1 or 2. */
    public int value() {
        return value;
    }
}
