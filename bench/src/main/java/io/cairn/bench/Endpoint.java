package io.cairn.bench;

/**
 * Where and how every connection of a run connects.
 *
 * @param host          the broker's host name or address
 * @param port          the broker's port
 * @param protocolLevel 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0)
 * @param username      the CONNECT user name, or {@code null}
 * @param password      the CONNECT password, or {@code null}
 * @param keepAlive     the keep-alive in seconds, 0 for none
 * @param front         TLS and/or WebSocket in front of MQTT, or nothing (plain TCP)
 * @param sessionExpiry 0 for clean sessions; otherwise persistent sessions: MQTT 3.1/3.1.1 connect with clean
 *                      session 0, MQTT 5 with Clean Start and this Session Expiry Interval in seconds
 */
record Endpoint(String host, int port, int protocolLevel, String username, String password, int keepAlive,
                Front front, long sessionExpiry) {

    /** An endpoint over plain TCP with clean sessions. */
    Endpoint(String host, int port, int protocolLevel, String username, String password, int keepAlive) {
        this(host, port, protocolLevel, username, password, keepAlive, Front.tcp(), 0);
    }

    /** {@code host:port}, for messages. */
    String address() {
        return host + ":" + port;
    }

    /** The protocol's version as users know it: {@code 3.1}, {@code 3.1.1} or {@code 5}. */
    String protocolName() {
        return protocolName(protocolLevel);
    }

    /** The version of protocol level {@code level}: {@code 3.1}, {@code 3.1.1} or {@code 5}. */
    static String protocolName(int level) {
        return switch (level) {
            case Packets.MQTT_3_1 -> "3.1";
            case Packets.MQTT_3_1_1 -> "3.1.1";
            case Packets.MQTT_5 -> "5";
            default -> "level " + level;
        };
    }
}
