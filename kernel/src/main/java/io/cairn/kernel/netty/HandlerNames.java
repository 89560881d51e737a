package io.cairn.kernel.netty;

/**
 * The names of the kernel's handlers in a connection's pipeline, in pipeline order. Transports put their own
 * front handlers (TLS, WebSocket) before {@link #BYTE_COUNTER}.
 */
public final class HandlerNames {

    /** Counts bytes in and out for the broker's statistics. */
    public static final String BYTE_COUNTER = "cairn-bytes";
    /** Netty's MQTT decoder. */
    public static final String DECODER = "cairn-mqtt-decoder";
    /** Netty's MQTT encoder (PUBLISH to subscribers is written pre-encoded and passes through). */
    public static final String ENCODER = "cairn-mqtt-encoder";
    /** Closes a connection that sends no CONNECT in time, or nothing within 1.5 × its keep-alive. */
    public static final String IDLE = "cairn-idle";
    /** The connection's MQTT state machine. */
    public static final String CONNECTION = "cairn-connection";
    /** Logs exceptions that reached the end of the pipeline, once, and closes the connection. */
    public static final String EXCEPTIONS = "cairn-exceptions";

    private HandlerNames() {
    }
}
