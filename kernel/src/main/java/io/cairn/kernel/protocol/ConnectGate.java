package io.cairn.kernel.protocol;

import io.cairn.api.message.ReasonCode;

/**
 * Decides whether a CONNECT that is well-formed may go on. The authentication chain plugs in here; without one,
 * every client is let in. Called on the connection's event loop; MUST NOT block.
 */
@FunctionalInterface
public interface ConnectGate {

    /** Lets everyone in. */
    ConnectGate OPEN = (clientId, username, password, listener) -> null;

    /**
     * Returns {@code null} to accept, or the reason to refuse: {@link ReasonCode#BAD_USER_NAME_OR_PASSWORD},
     * {@link ReasonCode#NOT_AUTHORIZED} or {@link ReasonCode#SERVER_UNAVAILABLE}.
     */
    ReasonCode check(String clientId, String username, byte[] password, String listener);
}
