package io.cairn.client;

/** The return codes of an MQTT 3.1.1 CONNACK. */
public enum ConnectReturnCode {
    /** 0x00: the connection is accepted. */
    ACCEPTED(0x00, "accepted"),
    /** 0x01: the server does not support the protocol level. */
    UNACCEPTABLE_PROTOCOL_VERSION(0x01, "unacceptable protocol version"),
    /** 0x02: the client identifier is not allowed by the server. */
    IDENTIFIER_REJECTED(0x02, "identifier rejected"),
    /** 0x03: the MQTT service is unavailable. */
    SERVER_UNAVAILABLE(0x03, "server unavailable"),
    /** 0x04: the user name or password is malformed or wrong. */
    BAD_USERNAME_OR_PASSWORD(0x04, "bad user name or password"),
    /** 0x05: the client is not authorized to connect. */
    NOT_AUTHORIZED(0x05, "not authorized");

    private final int code;
    private final String description;

    ConnectReturnCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The byte on the wire. */
    public int code() {
        return code;
    }

    /** The name the specification gives the code, e.g. {@code not authorized}. */
    public String description() {
        return description;
    }

    /** Whether retrying the same CONNECT later may succeed (only {@link #SERVER_UNAVAILABLE}). */
    public boolean isTransient() {
        return this == SERVER_UNAVAILABLE;
    }

    /** The code for a wire value, or {@code null} for a value the specification does not define. */
    public static ConnectReturnCode of(int code) {
        for (ConnectReturnCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /** {@code description (0xNN)}, also for codes the specification does not define. */
    public static String describe(int code) {
        ConnectReturnCode c = of(code);
        return (c == null ? "unknown return code" : c.description) + String.format(" (0x%02X)", code);
    }
}
