package io.cairn.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A listener for MQTT connections: TCP, TLS, WebSocket. Implemented by transport plugins.
 *
 * <p>{@link #start} and {@link #stop} are called by one thread at a time, never concurrently for one instance.
 */
@ConsumerType
public interface Transport {

    /** The listener's name, unique in the broker, as used in logs and by the broker service. */
    String name();

    /**
     * Binds the listener and starts accepting connections; returns once the listener is bound. The transport
     * MUST hand every accepted channel to {@link TransportContext#initPipeline} after adding its own front
     * handlers, and MUST register the bound listener with {@link TransportContext#registerListener}.
     *
     * @throws Exception if the listener cannot be bound; the message names the address and the cause
     */
    void start(TransportContext context) throws Exception;

    /**
     * Closes the listening socket and unregisters the listener; returns once the port is released. Connections
     * already accepted stay open: they belong to the kernel.
     */
    void stop();
}
