package io.cairn.kernel.netty;

/**
 * The names of the kernel's handlers in a connection's pipeline, in pipeline order. Transports put their own
 * front handlers (TLS, WebSocket) before {@link #BYTE_COUNTER}.
 */
public final class HandlerNames {

    /** Counts bytes in and out for the broker's statistics. */
    public static final String BYTE_COUNTER = "cairn-bytes";
    /** Cuts whole packets by their fixed header and checks what the decoder does not. */
    public static final String FRAMER = "cairn-mqtt-framer";
    /** Netty's MQTT decoder. */
    public static final String DECODER = "cairn-mqtt-decoder";
    /** Checks that every packet the framer passed produced a message. */
    public static final String FRAME_CHECK = "cairn-mqtt-frame-check";
    /** Netty's MQTT encoder (PUBLISH to subscribers is written pre-encoded and passes through). */
    public static final String ENCODER = "cairn-mqtt-encoder";
    /**
     * The connection's MQTT state machine; it also closes a connection that sends no CONNECT in time, or
     * nothing within 1.5 × its keep-alive.
     */
    public static final String CONNECTION = "cairn-connection";
    /** Logs exceptions that reached the end of the pipeline, once, and closes the connection. */
    public static final String EXCEPTIONS = "cairn-exceptions";

    private HandlerNames() {
    }
}
