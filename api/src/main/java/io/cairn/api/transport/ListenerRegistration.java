package io.cairn.api.transport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The handle of a listener registered with {@link TransportContext#registerListener}.
 */
@ProviderType
public interface ListenerRegistration extends AutoCloseable {

    /**
     * Changes how the listener authenticates and authorizes its clients, without closing it: connections already
     * open follow the new chains from their next packet, and their subscriptions are checked again. Since 1.1.
     *
     * @throws IllegalArgumentException naming the setting, if a selector is invalid; the old security stays
     */
    void updateSecurity(ListenerSecurity security);

    /** The listener as registered: for one bound with {@link TransportContext#bind}, its actual port. Since 1.2. */
    ListenerInfo listener();

    /**
     * Lets go of a listener bound with {@link TransportContext#bind} without closing its socket, for the next
     * version of the transport to adopt: called when the transport's bundle stops (an update is a stop, then a
     * start of the new version). Since 1.2.
     *
     * <p>The broker stops listing the listener and stops accepting connections on the socket; connection attempts
     * wait in the socket's accept queue, none is refused. When a transport binds the same name and address within
     * {@code wait}, it adopts the socket and accepts them; otherwise the kernel closes the socket then. Open
     * connections stay open and keep their sessions, unless {@code drain} is positive: then, once the socket is
     * adopted, the connections accepted before are closed, spread evenly over {@code drain} (MQTT 5 clients get a
     * DISCONNECT with reason 0x8B, Server shutting down), so that they reconnect through the new version's
     * handlers. For a listener registered with {@link TransportContext#registerListener}, the transport owns the
     * socket and this is {@link #close()}. Idempotent, and nothing after {@link #close()}.
     *
     * @param wait  how long the socket waits for the next version, more than zero
     * @param drain over how long connections accepted before are closed once the socket is adopted; zero keeps
     *              them
     */
    void handOver(Duration wait, Duration drain);

    /**
     * Unregisters the listener: the broker no longer lists it; a listener bound with {@link TransportContext#bind}
     * also closes its socket (open connections stay). Idempotent.
     */
    @Override
    void close();
}
