package io.cairn.client;

/** Where a client is in its connection life cycle. */
public enum ClientState {
    /** Built, {@link MqttClient#connect()} not called yet. */
    NEW,
    /** Opening the TCP connection or waiting for CONNACK. */
    CONNECTING,
    /** Connected: CONNACK accepted. */
    CONNECTED,
    /** The connection was lost; waiting for the backoff before the next attempt. */
    RECONNECTING,
    /** Not connected and not trying to: after disconnect(), a failed connect() or a loss without reconnect. */
    DISCONNECTED,
    /** Closed for good. */
    CLOSED
}
