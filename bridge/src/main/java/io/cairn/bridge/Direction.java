package io.cairn.bridge;

/** Which way a topic mapping forwards messages. */
public enum Direction {
    /** From the remote broker to this one. */
    IN,
    /** From this broker to the remote one. */
    OUT,
    /** Both ways; the bridge keeps a message from coming back the way it went. */
    BOTH;

    boolean forwardsIn() {
        return this != OUT;
    }

    boolean forwardsOut() {
        return this != IN;
    }
}
