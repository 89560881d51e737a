package io.cairn.bench;

/**
 * Where and how every connection of a run connects.
 *
 * @param host          the broker's host name or address
 * @param port          the broker's port
 * @param protocolLevel 3 (MQTT 3.1) or 4 (MQTT 3.1.1)
 * @param username      the CONNECT user name, or {@code null}
 * @param password      the CONNECT password, or {@code null}
 * @param keepAlive     the keep-alive in seconds, 0 for none
 */
record Endpoint(String host, int port, int protocolLevel, String username, String password, int keepAlive) {

    /** {@code host:port}, for messages. */
    String address() {
        return host + ":" + port;
    }
}
