package io.cairn.client;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a successful re-authentication (MQTT 5.0 §4.12.1): what the server's AUTH {@code 0x00}
 * carried. Immutable.
 *
 * @since 1.1.0
 */
public final class AuthenticationResult {

    private final byte[] authenticationData;
    private final String reasonString;
    private final List<UserProperty> userProperties;

    /** A result; created by the client. */
    public AuthenticationResult(byte[] authenticationData, String reasonString, List<UserProperty> userProperties) {
        this.authenticationData = authenticationData == null ? null : authenticationData.clone();
        this.reasonString = reasonString;
        this.userProperties = List.copyOf(userProperties);
    }

    /** A copy of the server's final Authentication Data; empty if absent. */
    public Optional<byte[]> authenticationData() {
        return authenticationData == null ? Optional.empty() : Optional.of(authenticationData.clone());
    }

    /** The server's Reason String; empty if absent. */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /** The server's User Properties, in order. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public String toString() {
        return "AuthenticationResult[" + (authenticationData == null ? "no data" : authenticationData.length
                + " bytes of data") + (reasonString == null ? "" : ", reason=" + reasonString) + "]";
    }
}
