package io.cairn.client;

/**
 * The outcome of an accepted connection: the CONNACK's session-present flag and return code. Later protocol
 * versions add properties here.
 */
public final class ConnectResult {

    private final boolean sessionPresent;
    private final ConnectReturnCode returnCode;

    /** A result; created by the client. */
    public ConnectResult(boolean sessionPresent, ConnectReturnCode returnCode) {
        this.sessionPresent = sessionPresent;
        this.returnCode = returnCode;
    }

    /** Whether the server resumed a session it kept for this client identifier. */
    public boolean sessionPresent() {
        return sessionPresent;
    }

    /** The CONNACK return code; always {@link ConnectReturnCode#ACCEPTED} for a result (refusals fail). */
    public ConnectReturnCode returnCode() {
        return returnCode;
    }

    @Override
    public String toString() {
        return "ConnectResult[sessionPresent=" + sessionPresent + ", returnCode=" + returnCode + "]";
    }
}
