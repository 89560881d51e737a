package io.cairn.transport.ws;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.Transport;
import io.cairn.api.transport.TransportContext;
import io.cairn.transport.tls.TlsConfigurationException;
import io.cairn.transport.tls.TlsFront;
import io.cairn.transport.ws.internal.UpgradeGuard;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener that accepts MQTT connections over WebSocket ({@code ws}) or, with {@link WsSettings#tls()}, secure
 * WebSocket ({@code wss}) on one address, as MQTT 3.1.1 §6 and MQTT 5.0 §6 describe: binary frames only,
 * sub-protocol {@code mqtt} (or {@code mqttv3.1}) negotiated, one upgrade path.
 *
 * <p>{@link #start} has the kernel bind the socket ({@link TransportContext#bind}) and builds every accepted
 * channel's front handlers, front to back: for {@code wss} Netty's {@code SslHandler} ({@link TlsFront}); Netty's
 * {@link HttpServerCodec} and {@link HttpObjectAggregator}; the {@link UpgradeGuard} (path, origin, sub-protocol,
 * upgrade timeout); Netty's {@link WebSocketServerProtocolHandler} (the 101 answer, ping/pong, close, the maximum
 * frame size); the kernel's frame handler ({@link TransportContext#webSocketFrames()}: frames to bytes and back);
 * then the kernel adds its MQTT handlers.
 *
 * <p>Why the kernel's handlers are added when the connection is accepted, before the upgrade, rather than on Netty's
 * handshake-complete event: the kernel counts a connection in its {@code channelActive} and starts its CONNECT
 * timer there (its {@code handlerAdded} starts the timer when added to an active channel, but nothing counts the
 * connection then). Added at init time they see {@code channelActive} like behind any other transport, and need
 * nothing replayed; until the upgrade completes nothing reaches them (the guard and Netty's handshaker consume the
 * HTTP request) and the kernel writes nothing before a CONNECT. The kernel's CONNECT timeout therefore also bounds
 * the upgrade.
 *
 * <p>Once upgraded, a connection's pipeline holds Netty's handlers and the kernel's only: the guard has removed
 * itself and Netty's handshaker has removed the HTTP codec and aggregator. Connections therefore outlive this
 * bundle, as they do the TCP and TLS ones, and {@link #handOver} leaves even the socket for the next version.
 *
 * <p>{@link #start} and {@link #stop} must not be called concurrently; {@link #localAddress()} may be called from
 * any thread.
 */
public final class WsTransport implements Transport {

    /** The URI scheme of a plain listener. */
    public static final String SCHEME = "ws";

    /** The URI scheme of a listener with TLS. */
    public static final String SECURE_SCHEME = "wss";

    /** The port of a {@code ws} listener when none is configured: EMQX's, which MQTT.js examples use too. */
    public static final int DEFAULT_PORT = 8083;

    /** The port of a {@code wss} listener when none is configured: EMQX's. */
    public static final int DEFAULT_SECURE_PORT = 8084;

    /** The accept queue length used when none is given. */
    public static final int DEFAULT_BACKLOG = 1024;

    /** The largest upgrade request accepted (it has no body; this bounds a misbehaving client). */
    public static final int MAX_UPGRADE_REQUEST = 8192;

    /** Handler names in each connection's pipeline, in front of the kernel's handlers. */
    public static final String TLS_HANDLER = "cairn-tls";
    /** Netty's HTTP codec, until the upgrade. */
    public static final String HTTP_HANDLER = "cairn-ws-http";
    /** Netty's HTTP aggregator, until the upgrade. */
    public static final String AGGREGATOR_HANDLER = "cairn-ws-aggregator";
    /** The upgrade request checks, until the upgrade request passes. */
    public static final String GUARD_HANDLER = "cairn-ws-guard";
    /** Netty's WebSocket protocol handler. */
    public static final String PROTOCOL_HANDLER = "cairn-ws-protocol";
    /** Frames to bytes and back. */
    public static final String FRAME_HANDLER = "cairn-ws-frames";

    private static final Logger LOG = LoggerFactory.getLogger(WsTransport.class);

    private final String name;
    private final String host;
    private final int port;
    private final int backlog;
    private final WsSettings ws;
    private volatile ListenerSecurity security;

    private volatile TlsFront front;
    private volatile ListenerRegistration registration;

    /**
     * Creates a listener for {@code host:port} whose clients are authenticated and authorized as {@code security}
     * says and whose WebSocket (and TLS) side {@code ws} describes.
     *
     * @param name     the listener's name, unique in the broker
     * @param host     the host name or address literal to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port     the port to bind, 0 for any free port
     * @param backlog  the length of the queue of connections not yet accepted (SO_BACKLOG), at least 1
     * @param security anonymous access and the selectors of the listener's authenticators and authorizers
     * @param ws       path, sub-protocols, origins, frame size, upgrade timeout, and TLS for {@code wss}
     * @throws IllegalArgumentException if the name or host is blank, the port is outside 0..65535 or the backlog
     *                                  is below 1
     */
    public WsTransport(String name, String host, int port, int backlog, ListenerSecurity security, WsSettings ws) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(ws, "ws");
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
        this.ws = ws;
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

    /** The WebSocket (and TLS) settings the listener was created with. */
    public WsSettings settings() {
        return ws;
    }

    /** {@value #SECURE_SCHEME} with TLS, else {@value #SCHEME}. */
    public String scheme() {
        return ws.tls() == null ? SCHEME : SECURE_SCHEME;
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
     * Loads the key and certificates (for {@code wss}), binds {@code host:port} and registers the listener with
     * the kernel; returns once the socket is bound.
     *
     * @throws TlsConfigurationException naming key, file and problem, if a key or certificate of a {@code wss}
     *                                    listener cannot be used; nothing is bound then
     * @throws BindException             if the address cannot be bound; the message names the listener, the
     *                                   address and the cause
     * @throws IllegalStateException     if this transport is already started, or the kernel already has a listener
     *                                   with this name (the socket is then closed again)
     */
    @Override
    public void start(TransportContext context) throws BindException, TlsConfigurationException {
        Objects.requireNonNull(context, "context");
        ListenerRegistration r = registration;
        if (r != null) {
            throw new IllegalStateException("listener " + name + " is already started on " + r.listener().uri());
        }
        TlsFront opened = ws.tls() == null ? null : TlsFront.open(name, ws.tls());
        front = opened;
        WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(ws.path())
                .checkStartsWith(true) // the guard has checked the path; this lets a query string through
                .subprotocols(String.join(",", ws.subprotocols()))
                .handshakeTimeoutMillis(ws.upgradeTimeout().toMillis())
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(ws.maxFrameSize())
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
        ChannelHandler frames = context.webSocketFrames();
        try {
            // the kernel owns the socket, so that the next version of this bundle can adopt it (see handOver)
            registration = context.bind(new ListenerInfo(name, scheme(), host, port), backlog, security, channel -> {
                if (opened != null) {
                    opened.addHandler(channel, TLS_HANDLER);
                }
                ChannelPipeline p = channel.pipeline();
                p.addLast(HTTP_HANDLER, new HttpServerCodec());
                p.addLast(AGGREGATOR_HANDLER, new HttpObjectAggregator(MAX_UPGRADE_REQUEST));
                p.addLast(GUARD_HANDLER, new UpgradeGuard(name, ws));
                p.addLast(PROTOCOL_HANDLER, new WebSocketServerProtocolHandler(protocol));
                p.addLast(FRAME_HANDLER, frames);
            });
        } catch (BindException | RuntimeException e) {
            closeFront();
            throw e;
        }
        ListenerInfo info = registration.listener();
        if (opened == null) {
            LOG.info("Listener {} bound to {}{} (sub-protocols {})", name, info.uri(), ws.path(),
                    String.join(", ", ws.subprotocols()));
        } else {
            LOG.info("Listener {} bound to {}{} (sub-protocols {}) with the {} TLS provider ({}), certificate {} "
                            + "serial {}", name, info.uri(), ws.path(), String.join(", ", ws.subprotocols()),
                    opened.provider(), String.join(", ", ws.tls().protocols()),
                    opened.certificate().getSubjectX500Principal(),
                    opened.certificate().getSerialNumber().toString(16));
        }
    }

    /**
     * For {@code wss}: reads the TLS files again and, if they pass the checks, uses them for connections accepted
     * from now on (see {@link TlsFront#reload()}).
     *
     * @return whether the new files are in use; false for {@code ws} or when not started
     */
    public boolean reload() {
        TlsFront f = front;
        return registration != null && f != null && f.reload();
    }

    /**
     * Unregisters the listener, stops watching the TLS files and closes the listening socket; returns once the
     * close has completed. Accepted connections stay open. Does nothing if the transport is not started.
     */
    @Override
    public void stop() {
        ListenerRegistration current = registration;
        registration = null;
        closeFront();
        if (current != null) {
            current.close();
            LOG.debug("Listener {} unbound from {}", name, current.listener().uri());
        }
    }

    /**
     * Stops watching the TLS files and lets go of the listener without closing its socket, for the next version of
     * this transport to adopt (see {@link ListenerRegistration#handOver}): called when the bundle stops, as it does
     * when it is updated. Does nothing if the transport is not started.
     *
     * @param wait  how long the socket waits for the next version before the kernel closes it
     * @param drain over how long the open connections are closed once the next version serves; zero keeps them
     */
    public void handOver(Duration wait, Duration drain) {
        ListenerRegistration current = registration;
        registration = null;
        closeFront();
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

    /**
     * For {@code wss}: the certificate new connections are shown now.
     *
     * @throws IllegalStateException if the listener is {@code ws} or was never started
     */
    public X509Certificate certificate() {
        TlsFront f = front;
        if (f == null) {
            throw new IllegalStateException("listener " + name + " has no TLS certificate loaded");
        }
        return f.certificate();
    }

    private void closeFront() {
        TlsFront f = front;
        if (f != null) {
            f.close(); // stops polling; the context stays readable through certificate()
        }
    }

    private String address() {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }

    @Override
    public String toString() {
        return "WsTransport[" + name + ' ' + scheme() + "://" + address() + ws.path() + ']';
    }
}
