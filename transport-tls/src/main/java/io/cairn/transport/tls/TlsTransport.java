package io.cairn.transport.tls;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.Transport;
import io.cairn.api.transport.TransportContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener that accepts MQTT connections over TLS (1.2 or 1.3) on one address.
 *
 * <p>{@link #start} reads and checks the key and certificates ({@link TlsSettings}, through a {@link TlsFront}), has
 * the kernel bind the socket ({@link TransportContext#bind}) and puts an {@link SslHandler} named
 * {@value #HANDLER_NAME} in front of the kernel's pipeline on every accepted channel. The kernel reads the
 * verified client certificate chain from that handler. The pipeline holds only Netty and kernel classes, so
 * connections outlive this bundle.
 *
 * <p>With {@link TlsSettings#sni()} entries, a Netty {@link SniHandler} stands there instead until the client's
 * hello names the host, and then replaces itself with the {@link SslHandler} for that host's certificate.
 *
 * <p>While started, the files are polled ({@link TlsSettings#reloadInterval()}); a changed set that passes the
 * checks is used for new connections at once, without rebinding, and open connections keep their session. A
 * changed set that fails is logged as one ERROR line naming the source, the key, the file and the problem, and the
 * previous certificate stays in use. {@link #start} and {@link #stop} must not be called concurrently;
 * {@link #handOver} leaves the socket open for the next version of this bundle to adopt.
 */
public final class TlsTransport implements Transport {

    /** The URI scheme this transport registers its listener with. */
    public static final String SCHEME = "mqtts";

    /** The IANA port of MQTT over TLS. */
    public static final int DEFAULT_PORT = 8883;

    /** The accept queue length used when none is given. */
    public static final int DEFAULT_BACKLOG = 1024;

    /** The name of the TLS handler in each connection's pipeline, in front of the kernel's handlers. */
    public static final String HANDLER_NAME = "cairn-tls";

    private static final Logger LOG = LoggerFactory.getLogger(TlsTransport.class);

    private final String name;
    private final String host;
    private final int port;
    private final int backlog;
    private final TlsSettings tls;
    private volatile ListenerSecurity security;

    private volatile TlsFront front;
    private volatile ListenerRegistration registration;

    /**
     * Creates a listener for {@code host:port} whose clients are authenticated and authorized as {@code security}
     * says and whose TLS side {@code tls} describes.
     *
     * @param name     the listener's name, unique in the broker
     * @param host     the host name or address literal to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port     the port to bind, 0 for any free port
     * @param backlog  the length of the queue of connections not yet accepted (SO_BACKLOG), at least 1
     * @param security anonymous access and the selectors of the listener's authenticators and authorizers
     * @param tls      key, certificates, client-certificate check, protocols
     * @throws IllegalArgumentException if the name or host is blank, the port is outside 0..65535 or the backlog
     *                                  is below 1
     */
    public TlsTransport(String name, String host, int port, int backlog, ListenerSecurity security,
                        TlsSettings tls) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(tls, "tls");
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
        this.tls = tls;
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

    /** The TLS settings the listener was created with. */
    public TlsSettings tls() {
        return tls;
    }

    /**
     * Changes how the listener authenticates and authorizes its clients without closing it.
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
     * Loads the key and certificates, binds {@code host:port} and registers the listener with the kernel; returns
     * once the socket is bound.
     *
     * @throws TlsConfigurationException naming key, file and problem, if the key or a certificate cannot be used;
     *                                    nothing is bound then
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
        TlsFront opened = TlsFront.open(name, tls);
        front = opened;
        try {
            // the kernel owns the socket, so that the next version of this bundle can adopt it (see handOver); what
            // this adds to a connection is Netty's alone (SslHandler, or SniHandler until the hello names the host)
            registration = context.bind(new ListenerInfo(name, SCHEME, host, port), backlog, security,
                    channel -> opened.addHandler(channel, HANDLER_NAME));
        } catch (BindException | RuntimeException e) {
            opened.close();
            throw e;
        }
        LOG.info("Listener {} bound to {} with the {} TLS provider ({}), certificate {} serial {}", name,
                registration.listener().uri(), opened.provider(), String.join(", ", tls.protocols()),
                opened.certificate().getSubjectX500Principal(), opened.certificate().getSerialNumber().toString(16));
    }

    /**
     * Reads the files again and, if they pass the checks, uses them for connections accepted from now on. A failure
     * is logged (one ERROR line with the source, key, file and problem) and the previous certificate stays.
     *
     * @return whether the new files are in use
     */
    public boolean reload() {
        TlsFront f = front;
        return registration != null && f != null && f.reload();
    }

    /**
     * Unregisters the listener, stops watching the files and closes the listening socket; returns once the close
     * has completed. Accepted connections stay open. Does nothing if the transport is not started.
     */
    @Override
    public void stop() {
        ListenerRegistration current = release();
        if (current != null) {
            current.close();
            LOG.debug("Listener {} unbound from {}", name, current.listener().uri());
        }
    }

    /**
     * Stops watching the files and lets go of the listener without closing its socket, for the next version of this
     * transport to adopt (see {@link ListenerRegistration#handOver}): called when the bundle stops, as it does when
     * it is updated. Does nothing if the transport is not started.
     *
     * @param wait  how long the socket waits for the next version before the kernel closes it
     * @param drain over how long the open connections are closed once the next version serves; zero keeps them
     */
    public void handOver(Duration wait, Duration drain) {
        ListenerRegistration current = release();
        if (current != null) {
            current.handOver(wait, drain);
        }
    }

    private ListenerRegistration release() {
        ListenerRegistration current = registration;
        TlsFront f = front;
        registration = null;
        if (f != null) {
            f.close();
        }
        return current;
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
     * The certificate new connections are shown now (the leaf of the chain).
     *
     * @throws IllegalStateException if the transport was never started
     */
    public X509Certificate certificate() {
        TlsFront f = front;
        if (f == null) {
            throw new IllegalStateException("listener " + name + " has not loaded its certificate");
        }
        return f.certificate();
    }

    /**
     * Which TLS implementation serves the listener: {@code OPENSSL} or {@code JDK}.
     *
     * @throws IllegalStateException if the transport was never started
     */
    public String provider() {
        TlsFront f = front;
        if (f == null) {
            throw new IllegalStateException("listener " + name + " has not loaded its certificate");
        }
        return f.provider();
    }

    private String address() {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }

    @Override
    public String toString() {
        return "TlsTransport[" + name + ' ' + address() + ']';
    }
}
