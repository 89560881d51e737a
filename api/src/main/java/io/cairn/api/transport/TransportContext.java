package io.cairn.api.transport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.net.BindException;
import java.time.Duration;
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

    /**
     * Binds a listener in the kernel: the kernel owns the listening socket, calls {@code front} on every accepted
     * connection and adds its MQTT pipeline behind the transport's handlers, and registers the listener so the
     * broker logs and lists it. Since 1.2; the way transports bind from 1.2 on, because only a socket the kernel
     * owns can be handed from one version of a transport to the next ({@link ListenerRegistration#handOver}).
     *
     * <p>If the listener {@code requested.name()} was handed over and its socket still waits, and it is bound to
     * {@code requested.host()} and {@code requested.port()} (or {@code requested.port()} is 0), this call adopts
     * that socket instead of binding a new one: connections that arrived in between are accepted now, with
     * {@code front}, and no connection attempt was refused at any moment. A waiting socket of the same name on
     * another address is closed first.
     *
     * @param requested the listener's name, scheme, the host to bind (a name or an address literal) and the port
     *                  (0: any free port; {@link ListenerRegistration#listener()} then tells the one bound)
     * @param backlog   the length of the queue of connections not yet accepted (SO_BACKLOG), at least 1; an adopted
     *                  socket keeps the backlog it was bound with
     * @param security  anonymous access and the selectors of the listener's authenticators and authorizers
     * @param front     the transport's handlers for each accepted connection
     * @throws BindException            if the address cannot be bound; the message names the listener, the address
     *                                  and the cause
     * @throws IllegalStateException    if a listener with the same name is open
     * @throws IllegalArgumentException if a selector in {@code security} is invalid or the backlog is below 1
     */
    ListenerRegistration bind(ListenerInfo requested, int backlog, ListenerSecurity security, FrontHandlers front)
            throws BindException;

    /**
     * The kernel's handler for WebSocket transports, to put between Netty's WebSocket server handlers and the MQTT
     * pipeline: the contents of binary and continuation frames go on as bytes (an MQTT packet may span frames and a
     * frame may hold several packets), MQTT bytes go out as binary frames, and a text frame closes the connection
     * with status 1003. Sharable. It is the kernel's so that a connection's pipeline holds no class of the transport
     * bundle once the WebSocket handshake is done. Since 1.2.
     */
    ChannelHandler webSocketFrames();

    /**
     * How long a handed-over socket waits for the next version of its transport by default, before the kernel
     * closes it: 30 seconds. Since 1.2.
     */
    Duration DEFAULT_HANDOVER_WAIT = Duration.ofSeconds(30);
}
