package io.cairn.client;

/**
 * The outcome of an accepted connection: the CONNACK's session-present flag and return code, and, for MQTT 5,
 * the server's properties.
 */
public final class ConnectResult {

    private final boolean sessionPresent;
    private final ConnectReturnCode returnCode;
    private final ConnAckProperties properties;

    /** A result; created by the client. */
    public ConnectResult(boolean sessionPresent, ConnectReturnCode returnCode) {
        this(sessionPresent, returnCode, ConnAckProperties.defaults());
    }

    /**
     * A result with the properties of an MQTT 5 CONNACK; created by the client.
     *
     * @since 1.1.0
     */
    public ConnectResult(boolean sessionPresent, ConnectReturnCode returnCode, ConnAckProperties properties) {
        this.sessionPresent = sessionPresent;
        this.returnCode = returnCode;
        this.properties = properties;
    }

    /** Whether the server resumed a session it kept for this client identifier. */
    public boolean sessionPresent() {
        return sessionPresent;
    }

    /**
     * The CONNACK return code; always {@link ConnectReturnCode#ACCEPTED} for a result (refusals fail). MQTT 5's
     * Success reason code is the same byte, 0x00.
     */
    public ConnectReturnCode returnCode() {
        return returnCode;
    }

    /**
     * What the server announced in an MQTT 5 CONNACK (limits, assigned client identifier, server keep-alive, ...);
     * {@link ConnAckProperties#defaults()} for MQTT 3.1.1.
     *
     * @since 1.1.0
     */
    public ConnAckProperties properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "ConnectResult[sessionPresent=" + sessionPresent + ", returnCode=" + returnCode
                + (properties == ConnAckProperties.defaults() ? "" : ", " + properties) + "]";
    }
}
