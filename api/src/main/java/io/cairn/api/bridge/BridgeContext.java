package io.cairn.api.bridge;

import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the kernel offers bridges. Registered as a service once the broker serves clients (its session store is
 * in place); thread-safe.
 */
@ProviderType
public interface BridgeContext {

    /**
     * Every client identifier at {@link #localAddress()} starts with this; MQTT clients on the broker's listeners
     * may not use it, so no client can take over a bridge's session.
     */
    String CLIENT_ID_PREFIX = "$bridge/";

    /**
     * The in-process address where a bridge connects to the local broker as an MQTT client (a Netty
     * {@code LocalAddress}: no socket, no copy through the kernel's network stack). Connections there are
     * trusted: no authentication and no authorization; their client identifier must start with
     * {@link #CLIENT_ID_PREFIX}. Everything else is MQTT as on any listener: sessions, QoS flows, persistence.
     */
    SocketAddress localAddress();

    /**
     * Event loops for bridges' local clients: a Netty {@code EventLoopGroup} (typed here as its
     * {@link ScheduledExecutorService} interface, to keep Netty out of the API) that can run {@code LocalChannel}s,
     * which Netty's epoll and NIO loops cannot. Shared by every bridge; not to be shut down by bridges.
     */
    ScheduledExecutorService localEventLoops();

    /** The local client identifier of the bridge called {@code name}. */
    static String localClientId(String name) {
        return CLIENT_ID_PREFIX + name;
    }

    /**
     * Lists {@code bridge} in the broker service's {@link io.cairn.api.broker.Broker#bridges()} until the
     * registration is closed. A second bridge of the same name replaces the first in the list.
     */
    BridgeRegistration register(Bridge bridge);
}
