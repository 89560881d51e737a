package io.cairn.client;

import java.util.List;
import java.util.Optional;

/**
 * The MQTT 5 server ended the connection with a DISCONNECT packet (MQTT 5.0 §3.14), e.g. {@code 0x8E} session
 * taken over or {@code 0x8B} server shutting down. It is the cause {@link ConnectionListener#connectionLost}
 * receives, and pending operations that fail because of the loss carry it as their cause. The reconnect policy
 * applies as for any other loss.
 *
 * @since 1.1.0
 */
public class ServerDisconnectedException extends ConnectionLostException {

    private static final long serialVersionUID = 1L;

    private final int reasonCode;
    private final String reasonString;
    private final String serverReference;
    private final transient List<UserProperty> userProperties;

    /** A server DISCONNECT; created by the client. */
    public ServerDisconnectedException(int reasonCode, String reasonString, String serverReference,
                                       List<UserProperty> userProperties) {
        super("the server disconnected: " + ReasonCodes.describe(reasonCode)
                + (reasonString == null ? "" : ": " + reasonString)
                + (serverReference == null ? "" : " (server reference: " + serverReference + ")"));
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
        this.serverReference = serverReference;
        this.userProperties = List.copyOf(userProperties);
    }

    /** The DISCONNECT reason code, e.g. {@link ReasonCodes#SESSION_TAKEN_OVER}. */
    public int reasonCode() {
        return reasonCode;
    }

    /** The server's Reason String; empty if absent. */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /** The Server Reference (with {@code 0x9C} use another server or {@code 0x9D} server moved); empty if absent. */
    public Optional<String> serverReference() {
        return Optional.ofNullable(serverReference);
    }

    /** The server's User Properties, in order. */
    public List<UserProperty> userProperties() {
        return userProperties == null ? List.of() : userProperties;
    }
}
