package io.cairn.transport.tls.internal;

import io.cairn.api.transport.InvalidConfigurationException;
import io.cairn.api.transport.ListenerConfiguration;
import io.cairn.api.transport.TransportContext;
import io.cairn.transport.tls.TlsConfigurationException;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.tls.TlsTransport;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link TlsTransport} per factory configuration of {@value #PID}, that is one per
 * {@code etc/io.cairn.transport.tls-<name>.cfg} file, and rebinds it when the configuration changes.
 *
 * <p>An invalid configuration, or a key or certificate that cannot be used (missing, unreadable, expired, not
 * matching), is rejected with one ERROR line naming the file, the key and the problem: a new listener is then not
 * started, and a running one keeps its previous address and certificate. Changes of the certificate files
 * themselves are picked up by the transport (see {@link TlsTransport#reload()}), without this component.
 */
@Component(configurationPid = TlsTransportComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = TlsTransportConfiguration.class, factory = true)
public final class TlsTransportComponent {

    /** The factory configuration PID of TLS listeners. */
    public static final String PID = "io.cairn.transport.tls";

    private static final Logger LOG = LoggerFactory.getLogger(TlsTransportComponent.class);

    @Reference
    private TransportContext context;

    /** The listener bound now, or null. */
    private TlsTransport transport;
    /** The configuration {@link #transport} was created from (its port may be 0 where the transport's is not). */
    private ListenerConfiguration configured;

    /** Used by Declarative Services. */
    public TlsTransportComponent() {
    }

    TlsTransportComponent(TransportContext context) {
        this.context = context;
    }

    // the configuration type is taken only so that the component description carries its defaults as properties;
    // the keys are read from the properties, the way every transport reads them (ListenerConfiguration)
    @Activate
    private void activate(TlsTransportConfiguration config, Map<String, Object> properties) {
        apply(properties);
    }

    @Modified
    private void modified(TlsTransportConfiguration config, Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    private void deactivate(int reason) {
        if (reason == ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED) {
            handOver(); // most likely an update: the next version adopts the socket
        } else {
            close();
        }
    }

    /**
     * Validates a configuration (the keys {@link TlsTransportConfiguration} describes) and binds the listener it
     * describes, replacing the one bound now if it differs.
     */
    synchronized void apply(Map<String, Object> properties) {
        String source = ListenerConfiguration.source(PID, properties);
        TlsTransport previous = transport;
        String outcome = previous == null ? "listener not started"
                : "listener " + previous.name() + " keeps running on " + previous.host() + ':'
                + previous.localAddress().getPort() + " with its previous certificate";
        ListenerConfiguration next;
        TlsSettings tls;
        try {
            next = ListenerConfiguration.read(PID, properties, TlsTransport.DEFAULT_PORT);
            tls = TlsSettings.fromProperties(source, properties);
        } catch (InvalidConfigurationException | TlsConfigurationException e) {
            LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
            return;
        }
        ListenerConfiguration was = configured;
        if (previous != null && was.sameSocket(next) && previous.tls().equals(tls)) {
            configured = next;
            if (!was.security().equals(next.security())) {
                try {
                    previous.updateSecurity(next.security());
                } catch (IllegalArgumentException e) {
                    configured = was;
                    LOG.error("Invalid configuration {}: key {}; listener {} keeps its previous security", source,
                            e.getMessage(), previous.name());
                }
            }
            return;
        }
        if (previous != null) {
            // check the new files before giving up the running listener
            try {
                TlsContexts.load(tls);
            } catch (TlsConfigurationException e) {
                LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
                return;
            }
        }
        InetSocketAddress previousAddress = previous == null ? null : previous.localAddress();
        if (previous != null) {
            if (was.sameSocket(next)) {
                // new TLS files or settings on the same socket: the next transport adopts it, nobody is refused
                previous.handOver(was.handoverWait(), Duration.ZERO);
            } else {
                previous.stop();
            }
            transport = null;
        }
        configured = next;
        TlsTransport started = new TlsTransport(next.name(), next.host(), next.port(), next.backlog(),
                next.security(), tls);
        try {
            started.start(context);
            transport = started;
        } catch (TlsConfigurationException e) {
            LOG.error("Invalid configuration {}: {}{}", source, e.getMessage(), restore(previous, previousAddress, was));
        } catch (BindException | RuntimeException e) {
            LOG.error("Configuration {}: {}{}", source, e.getMessage(), restore(previous, previousAddress, was));
        }
    }

    /**
     * Lets go of the listener without closing its socket, for the next version of this bundle to adopt within the
     * configured wait; open connections stay (or are drained once it serves, if so configured).
     */
    synchronized void handOver() {
        if (transport != null) {
            transport.handOver(configured.handoverWait(), configured.drain());
            transport = null;
            configured = null;
        }
    }

    /** Unbinds the listener, if one is bound. */
    synchronized void close() {
        if (transport != null) {
            transport.stop();
            transport = null;
            configured = null;
        }
    }

    /** The listener bound now, or empty. */
    synchronized Optional<TlsTransport> transport() {
        return Optional.ofNullable(transport);
    }

    /**
     * Starts the listener {@code previous} was (on its actual port, when it was configured with port 0) again, with
     * the configuration {@code was} it had.
     */
    private String restore(TlsTransport previous, InetSocketAddress previousAddress, ListenerConfiguration was) {
        if (previous == null) {
            configured = null;
            return "; listener not started";
        }
        TlsTransport again = new TlsTransport(previous.name(), previous.host(), previousAddress.getPort(),
                previous.backlog(), previous.security(), previous.tls());
        try {
            again.start(context);
            transport = again;
            configured = was;
            return "; listener " + previous.name() + " kept on " + previous.host() + ':' + previousAddress.getPort();
        } catch (Exception e) {
            configured = null;
            return "; the previous listener could not be started again either: " + e.getMessage();
        }
    }
}
