package io.cairn.api.transport;

import io.netty.channel.Channel;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a transport puts in front of the kernel's MQTT pipeline on each connection a listener accepts: a TLS
 * handler, WebSocket framing. Given to {@link TransportContext#bind}. Since 1.2.
 *
 * <p>The kernel calls {@link #addTo} on the channel's event loop, before the channel is active, and then adds its
 * own handlers behind the transport's. Once a connection is established, the handlers left in its pipeline MUST be
 * Netty's or the kernel's, never classes of the transport's bundle: a connection outlives the bundle that accepted
 * it (a transport update keeps it open), so its pipeline must not keep the old bundle's classes alive. Handlers
 * that only take part in a handshake may be the transport's own if they remove themselves when it is done.
 */
@ConsumerType
@FunctionalInterface
public interface FrontHandlers {

    /** No front handlers: MQTT straight over the socket, as plain TCP. */
    FrontHandlers NONE = channel -> { };

    /**
     * Adds the transport's handlers to {@code channel}'s pipeline. Called on the channel's event loop.
     *
     * @throws Exception if the handlers cannot be made; the kernel logs it with the listener's name and closes the
     *                   connection
     */
    void addTo(Channel channel) throws Exception;
}
