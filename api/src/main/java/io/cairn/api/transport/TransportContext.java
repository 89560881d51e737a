package io.cairn.api.transport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the kernel gives a transport: its event loops and its MQTT pipeline. Provided by the kernel; thread-safe.
 * The event loops belong to the kernel: a transport MUST NOT shut them down.
 */
@ProviderType
public interface TransportContext {

    /** The event loop group that accepts connections. */
    EventLoopGroup parentGroup();

    /** The event loop group that serves connections. */
    EventLoopGroup childGroup();

    /**
     * A server bootstrap set up with the kernel's groups, server channel type (epoll where available) and
     * socket options; the transport adds its child handler and binds.
     */
    ServerBootstrap newServerBootstrap();

    /**
     * Adds the MQTT handlers at the end of {@code channel}'s pipeline, after the transport's front handlers.
     * Call from the channel's initializer.
     *
     * @param channel  the accepted channel, not yet active
     * @param listener the name of the listener that accepted it
     */
    void initPipeline(Channel channel, String listener);

    /**
     * Registers a bound listener so the broker logs and lists it, with {@link ListenerSecurity#DEFAULT}: every
     * authentication and authorization provider, no anonymous access.
     *
     * @throws IllegalStateException if a listener with the same name is registered
     */
    ListenerRegistration registerListener(ListenerInfo listener);

    /**
     * Registers a bound listener so the broker logs and lists it, and authenticates and authorizes its clients as
     * {@code security} says. Register before the first connection is accepted, so no client meets the listener
     * without its security. Since 1.1.
     *
     * @throws IllegalStateException if a listener with the same name is registered
     */
    ListenerRegistration registerListener(ListenerInfo listener, ListenerSecurity security);
}
