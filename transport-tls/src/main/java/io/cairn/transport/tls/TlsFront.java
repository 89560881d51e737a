package io.cairn.transport.tls;

import io.cairn.api.transport.CertificateUsername;
import io.cairn.transport.tls.internal.FileWatcher;
import io.cairn.transport.tls.internal.TlsContexts;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener, for any transport that speaks TLS first ({@code mqtts}, {@code wss}): loads and
 * checks the files of a {@link TlsSettings}, keeps the server context built from them, polls the files for changes
 * ({@link TlsSettings#reloadInterval()}) and puts a Netty {@link SslHandler} (or, with
 * {@link TlsSettings#sni()} entries, a Netty {@link SniHandler}) in front of an accepted channel's pipeline.
 *
 * <p>A changed set of files that passes the checks is used for connections accepted from then on; open
 * connections keep their session. A changed set that fails is logged as one ERROR line naming the source, the key,
 * the file and the problem, and the previous certificate stays in use. The handlers added are Netty's only, so
 * connections outlive the bundle of the transport that accepted them.
 *
 * <p>Thread-safe: {@link #addHandler} may run on any event loop while the files are reloaded.
 *
 * @since 1.1
 */
public final class TlsFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFront.class);

    private final String listener;
    private final TlsSettings settings;
    private volatile TlsContexts.Loaded loaded;
    private volatile FileWatcher watcher;

    private TlsFront(String listener, TlsSettings settings, TlsContexts.Loaded loaded) {
        this.listener = listener;
        this.settings = settings;
        this.loaded = loaded;
    }

    /**
     * Reads and checks the files {@code settings} name and builds the server context; starts polling them when
     * {@link TlsSettings#reloadInterval()} is not zero.
     *
     * @param listener the listener's name, for log lines and the polling thread's name
     * @throws TlsConfigurationException naming key, file and problem, if the key or a certificate cannot be used
     */
    public static TlsFront open(String listener, TlsSettings settings) throws TlsConfigurationException {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(settings, "settings");
        TlsFront front = new TlsFront(listener, settings, TlsContexts.load(settings));
        if (!settings.reloadInterval().isZero()) {
            front.watcher = new FileWatcher(listener, settings.reloadInterval(), settings.watchedFiles(),
                    front::reload);
        }
        return front;
    }

    /** The settings this front was opened with. */
    public TlsSettings settings() {
        return settings;
    }

    /**
     * Adds the TLS handler named {@code handlerName} at the end of {@code channel}'s pipeline, with the context in
     * use now and the handshake timeout of the settings, and with {@link TlsSettings#usernameFrom()} marks the
     * channel so the kernel takes the user name from the client certificate. Call from the transport's front
     * handlers, before any other handler of the transport.
     */
    public void addHandler(Channel channel, String handlerName) {
        if (settings.usernameFrom() != null) {
            channel.attr(CertificateUsername.ATTRIBUTE).set(settings.usernameFrom());
        }
        TlsContexts.Loaded now = loaded;
        long handshakeMillis = settings.handshakeTimeout().toMillis();
        if (now.sni() == null) {
            SslHandler handler = now.context().newHandler(channel.alloc());
            handler.setHandshakeTimeoutMillis(handshakeMillis);
            channel.pipeline().addLast(handlerName, handler);
        } else {
            // reads the ClientHello's server name, then replaces itself with an SslHandler
            channel.pipeline().addLast(handlerName, new SniHandler(now.sni(), handshakeMillis));
        }
    }

    /**
     * Reads the files again and, if they pass the checks, uses them for connections accepted from now on. A failure
     * is logged (one ERROR line with the source, key, file and problem) and the previous certificate stays.
     *
     * @return whether the new files are in use
     */
    public boolean reload() {
        try {
            TlsContexts.Loaded next = TlsContexts.load(settings);
            loaded = next;
            LOG.info("Listener {} reloaded its TLS files: certificate {} serial {}", listener,
                    next.certificate().getSubjectX500Principal(), next.certificate().getSerialNumber().toString(16));
            return true;
        } catch (TlsConfigurationException e) {
            LOG.error("Configuration {}: {}; listener {} keeps its previous certificate (serial {})",
                    settings.source(), e.getMessage(), listener, loaded.certificate().getSerialNumber().toString(16));
            return false;
        } catch (RuntimeException e) {
            LOG.error("Configuration {}: reloading the TLS files failed; listener {} keeps its previous certificate",
                    settings.source(), listener, e);
            return false;
        }
    }

    /** The certificate new connections are shown now (the leaf of the chain). */
    public X509Certificate certificate() {
        return loaded.certificate();
    }

    /** Which TLS implementation serves new connections: {@code OPENSSL} or {@code JDK}. */
    public String provider() {
        return loaded.provider() == SslProvider.JDK ? "JDK" : "OPENSSL";
    }

    /** Stops polling the files; the context stays usable. Idempotent. */
    @Override
    public void close() {
        FileWatcher w = watcher;
        watcher = null;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public String toString() {
        return "TlsFront[" + listener + ' ' + settings.source() + ']';
    }
}
