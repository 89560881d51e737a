package io.cairn.client;

/**
 * The server answered CONNECT with a CONNACK that refuses the connection: an MQTT 3.1.1 return code from 0x01 to
 * 0x05, or an MQTT 5 reason code of 0x80 or above, with its Reason String and Server Reference.
 */
public class ConnectRefusedException extends MqttClientException {

    private final int returnCode;
    private final boolean mqtt5;
    private final transient ConnAckProperties properties;

    /** A refusal with the CONNACK's return code. */
    public ConnectRefusedException(int returnCode) {
        super("connection refused by the server: " + ConnectReturnCode.describe(returnCode));
        this.returnCode = returnCode;
        this.mqtt5 = false;
        this.properties = ConnAckProperties.defaults();
    }

    /**
     * An MQTT 5 refusal with the CONNACK's reason code and properties.
     *
     * @since 1.1.0
     */
    public ConnectRefusedException(int reasonCode, ConnAckProperties properties) {
        super("connection refused by the server: " + ReasonCodes.describe(reasonCode)
                + properties.reasonString().map(s -> ": " + s).orElse("")
                + properties.serverReference().map(s -> " (server reference: " + s + ")").orElse(""));
        this.returnCode = reasonCode;
        this.mqtt5 = true;
        this.properties = properties;
    }

    /** The CONNACK return code (MQTT 3.1.1) or reason code (MQTT 5) as on the wire. */
    public int returnCode() {
        return returnCode;
    }

    /**
     * The MQTT 3.1.1 return code, or {@code null} if the server sent one the specification does not define, or
     * the refusal is an MQTT 5 one (see {@link #returnCode()} and {@link ReasonCodes}).
     */
    public ConnectReturnCode reason() {
        return mqtt5 ? null : ConnectReturnCode.of(returnCode);
    }

    /**
     * Whether this is an MQTT 5 reason code.
     *
     * @since 1.1.0
     */
    public boolean isMqtt5() {
        return mqtt5;
    }

    /**
     * The properties of the refusing MQTT 5 CONNACK (Reason String, Server Reference, User Properties);
     * {@link ConnAckProperties#defaults()} for MQTT 3.1.1.
     *
     * @since 1.1.0
     */
    public ConnAckProperties properties() {
        return properties == null ? ConnAckProperties.defaults() : properties;
    }

    /**
     * Whether retrying the same CONNECT later may succeed: 3.1.1 server unavailable (0x03); MQTT 5 unspecified
     * error (0x80), implementation specific error (0x83), server unavailable (0x88), server busy (0x89), quota
     * exceeded (0x97) and connection rate exceeded (0x9F). The reconnect policy gives up on any other refusal.
     *
     * @since 1.1.0
     */
    public boolean isTransient() {
        if (!mqtt5) {
            ConnectReturnCode c = ConnectReturnCode.of(returnCode);
            return c != null && c.isTransient();
        }
        return switch (returnCode) {
            case 0x80, 0x83, 0x88, 0x89, 0x97, 0x9F -> true;
            default -> false;
        };
    }
}
