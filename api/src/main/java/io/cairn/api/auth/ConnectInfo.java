package io.cairn.api.auth;

import java.net.InetSocketAddress;

/**
 * What the broker knows of a client that is connecting: its CONNECT and where it comes from.
 *
 * @param clientId        the client identifier (an assigned one if the client sent none)
 * @param username        the user name, or {@code null}
 * @param protocolLevel   4 for MQTT 3.1.1, 3 for 3.1, 5 for 5.0
 * @param listener        the name of the listener it connected to
 * @param remoteAddress   the client's address, or {@code null} when the transport has none
 * @param reauthentication whether this is a re-authentication of a connection that is already connected (MQTT 5
 *                        AUTH with reason 0x19), not a CONNECT
 */
public record ConnectInfo(String clientId, String username, int protocolLevel, String listener,
                          InetSocketAddress remoteAddress, boolean reauthentication) {
}
