package io.cairn.api.broker;

import java.util.Objects;

/**
 * A client connected to the broker.
 *
 * @param clientId        the client identifier (assigned by the broker when the client sent none)
 * @param username        the user name sent in CONNECT, or {@code null}
 * @param protocolLevel   3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0)
 * @param remoteAddress   the peer address, for example {@code 127.0.0.1:53122}
 * @param listener        the name of the listener it connected through
 * @param connectedAt     when the CONNECT was accepted, in epoch milliseconds
 * @param keepAlive       the keep-alive in seconds, 0 for none
 * @param cleanSession    clean session (3.1.1) or clean start (5.0)
 */
public record ClientInfo(String clientId, String username, int protocolLevel, String remoteAddress,
                         String listener, long connectedAt, int keepAlive, boolean cleanSession) {
    public ClientInfo {
        Objects.requireNonNull(clientId, "clientId");
    }
}
