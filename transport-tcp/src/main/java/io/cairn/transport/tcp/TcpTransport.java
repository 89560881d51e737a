package io.cairn.transport.tcp;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.FrontHandlers;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.Transport;
import io.cairn.api.transport.TransportContext;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener that accepts MQTT connections over plain TCP on one address.
 *
 * <p>{@link #start} has the kernel bind the socket ({@link TransportContext#bind}), so the event loops, the server
 * channel type and the socket are the kernel's; this transport adds no handlers of its own. {@link #stop} closes
 * only the listening socket: connections already accepted belong to the kernel and stay open. {@link #handOver}
 * leaves even the socket open, for the next version of this bundle to adopt. {@link #start} and {@link #stop} must not be called concurrently;
 * {@link #localAddress()} may be called from any thread.
 */
public final class TcpTransport implements Transport {

    /** The URI scheme this transport registers its listener with. */
    public static final String SCHEME = "mqtt";

    /** The IANA port of MQTT. */
    public static final int DEFAULT_PORT = 1883;

    /** The accept queue length used when none is given. */
    public static final int DEFAULT_BACKLOG = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);

    private final String name;
    private final String host;
    private final int port;
    private final int backlog;
    private volatile ListenerSecurity security;

    private volatile ListenerRegistration registration;

    /**
     * Creates a listener for {@code host:port} with the default backlog of {@value #DEFAULT_BACKLOG} and
     * {@link ListenerSecurity#DEFAULT}: clients must be accepted by an authenticator (none means nobody gets in).
     *
     * @param name the listener's name, unique in the broker
     * @param host the host name or address literal to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port the port to bind, 0 for any free port
     * @throws IllegalArgumentException if the name or host is blank or the port is outside 0..65535
     */
    public TcpTransport(String name, String host, int port) {
        this(name, host, port, DEFAULT_BACKLOG);
    }

    /**
     * Creates a listener for {@code host:port} with {@link ListenerSecurity#DEFAULT}: clients must be accepted by
     * an authenticator (none means nobody gets in).
     *
     * @param name    the listener's name, unique in the broker
     * @param host    the host name or address literal to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port    the port to bind, 0 for any free port
     * @param backlog the length of the queue of connections not yet accepted (SO_BACKLOG), at least 1
     * @throws IllegalArgumentException if the name or host is blank, the port is outside 0..65535 or the backlog
     *                                  is below 1
     */
    public TcpTransport(String name, String host, int port, int backlog) {
        this(name, host, port, backlog, ListenerSecurity.DEFAULT);
    }

    /**
     * Creates a listener for {@code host:port} whose clients are authenticated and authorized as {@code security}
     * says.
     *
     * @param name     the listener's name, unique in the broker
     * @param host     the host name or address literal to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port     the port to bind, 0 for any free port
     * @param backlog  the length of the queue of connections not yet accepted (SO_BACKLOG), at least 1
     * @param security anonymous access and the selectors of the listener's authenticators and authorizers
     * @throws IllegalArgumentException if the name or host is blank, the port is outside 0..65535 or the backlog
     *                                  is below 1
     */
    public TcpTransport(String name, String host, int port, int backlog, ListenerSecurity security) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(host, "host");
        if (name.isBlank()) {
            throw new IllegalArgumentException("listener name must not be blank");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("listener " + name + ": host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener " + name + ": port " + port + " is outside 0..65535");
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("listener " + name + ": backlog " + backlog + " is below 1");
        }
        this.name = name;
        this.host = host;
        this.port = port;
        this.backlog = backlog;
        this.security = security;
    }

    @Override
    public String name() {
        return name;
    }

    /** The configured host, as given to the constructor. */
    public String host() {
        return host;
    }

    /** The configured port, 0 meaning any free port. */
    public int port() {
        return port;
    }

    /** The configured accept backlog. */
    public int backlog() {
        return backlog;
    }

    /** How the listener authenticates and authorizes its clients. */
    public ListenerSecurity security() {
        return security;
    }

    /**
     * Changes how the listener authenticates and authorizes its clients without closing it; connections already
     * open follow the new chains from their next packet.
     *
     * @throws IllegalArgumentException naming the setting, if a selector is invalid; the old security stays
     */
    public void updateSecurity(ListenerSecurity changed) {
        Objects.requireNonNull(changed, "security");
        ListenerRegistration r = registration;
        if (r != null) {
            r.updateSecurity(changed);
        }
        security = changed;
    }

    /**
     * Binds {@code host:port} and registers the listener with the kernel; returns once the socket is bound.
     *
     * @throws BindException         if the address cannot be bound; the message names the listener, the address
     *                               and the cause (for example {@code Address already in use})
     * @throws IllegalStateException if this transport is already started, or the kernel already has a listener
     *                               with this name (the socket is then closed again)
     */
    @Override
    public void start(TransportContext context) throws BindException {
        Objects.requireNonNull(context, "context");
        ListenerRegistration r = registration;
        if (r != null) {
            throw new IllegalStateException("listener " + name + " is already started on " + r.listener().uri());
        }
        // the kernel owns the socket, so that the next version of this bundle can adopt it (see handOver)
        registration = context.bind(new ListenerInfo(name, SCHEME, host, port), backlog, security,
                FrontHandlers.NONE);
        LOG.debug("Listener {} bound to {}", name, registration.listener().uri());
    }

    /**
     * Unregisters the listener and closes the listening socket; returns once the close has completed. Accepted
     * connections stay open. Does nothing if the transport is not started.
     *
     * <p>With the kernel's epoll event loops the port is free when this returns; with NIO event loops the JDK
     * releases it when the selector next polls, a moment later.
     */
    @Override
    public void stop() {
        ListenerRegistration current = registration;
        registration = null;
        if (current != null) {
            current.close();
            LOG.debug("Listener {} unbound from {}", name, current.listener().uri());
        }
    }

    /**
     * Lets go of the listener without closing its socket, for the next version of this transport to adopt (see
     * {@link ListenerRegistration#handOver}): called when the bundle stops, as it does when it is updated. Does
     * nothing if the transport is not started.
     *
     * @param wait  how long the socket waits for the next version before the kernel closes it
     * @param drain over how long the open connections are closed once the next version serves; zero keeps them
     */
    public void handOver(Duration wait, Duration drain) {
        ListenerRegistration current = registration;
        registration = null;
        if (current != null) {
            current.handOver(wait, drain);
        }
    }

    /**
     * The address the listener is bound to, with the actual port when port 0 was configured.
     *
     * @throws IllegalStateException if the transport is not started
     */
    public InetSocketAddress localAddress() {
        ListenerRegistration r = registration;
        if (r == null) {
            throw new IllegalStateException("listener " + name + " is not started");
        }
        return new InetSocketAddress(r.listener().host(), r.listener().port());
    }

    /** Whether the listener is bound now. */
    public boolean isStarted() {
        return registration != null;
    }

    private String address() {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }

    @Override
    public String toString() {
        return "TcpTransport[" + name + ' ' + address() + ']';
    }
}
