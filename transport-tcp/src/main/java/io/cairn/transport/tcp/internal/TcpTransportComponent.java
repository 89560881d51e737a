package io.cairn.transport.tcp.internal;

import io.cairn.api.transport.InvalidConfigurationException;
import io.cairn.api.transport.ListenerConfiguration;
import io.cairn.api.transport.TransportContext;
import io.cairn.transport.tcp.TcpTransport;
import java.net.BindException;
import java.net.InetSocketAddress;
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
 * Runs one {@link TcpTransport} per factory configuration of {@value #PID}, that is one per
 * {@code etc/io.cairn.transport.tcp-<name>.cfg} file, and rebinds it when the configuration changes.
 *
 * <p>An invalid configuration is rejected with one ERROR line naming the file and the key: a new listener is then
 * not started, and a running one keeps its previous address. A listener that cannot bind (port in use) is logged
 * the same way; when a changed configuration cannot bind, the previous address is bound again.
 */
@Component(configurationPid = TcpTransportComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = TcpTransportConfiguration.class, factory = true)
public final class TcpTransportComponent {

    /** The factory configuration PID of TCP listeners. */
    public static final String PID = "io.cairn.transport.tcp";

    private static final Logger LOG = LoggerFactory.getLogger(TcpTransportComponent.class);

    @Reference
    private TransportContext context;

    /** The listener bound now, or null. */
    private TcpTransport transport;
    /** The configuration {@link #transport} was created from (its port may be 0 where the transport's is not). */
    private ListenerConfiguration configured;

    /** Used by Declarative Services. */
    public TcpTransportComponent() {
    }

    TcpTransportComponent(TransportContext context) {
        this.context = context;
    }

    // the configuration type is taken only so that the component description carries its defaults as properties;
    // the keys are read from the properties, the way every transport reads them (ListenerConfiguration)
    @Activate
    private void activate(TcpTransportConfiguration config, Map<String, Object> properties) {
        apply(properties);
    }

    @Modified
    private void modified(TcpTransportConfiguration config, Map<String, Object> properties) {
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
     * Validates a configuration (the keys {@link TcpTransportConfiguration} describes) and binds the listener it
     * describes, replacing the one bound now if it differs.
     */
    synchronized void apply(Map<String, Object> properties) {
        String source = ListenerConfiguration.source(PID, properties);
        TcpTransport previous = transport;
        String outcome = previous == null ? "listener not started"
                : "listener " + previous.name() + " keeps running on " + previous.host() + ':'
                + previous.localAddress().getPort();
        ListenerConfiguration next;
        try {
            next = ListenerConfiguration.read(PID, properties, TcpTransport.DEFAULT_PORT);
        } catch (InvalidConfigurationException e) {
            LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
            return;
        }
        ListenerConfiguration was = configured;
        configured = next;
        if (previous != null && was.sameSocket(next)) {
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
        InetSocketAddress previousAddress = previous == null ? null : previous.localAddress();
        if (previous != null) {
            previous.stop();
            transport = null;
        }
        TcpTransport started = new TcpTransport(next.name(), next.host(), next.port(), next.backlog(),
                next.security());
        try {
            started.start(context);
            transport = started;
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

    /** The address bound now, or empty when no listener is bound. */
    synchronized Optional<InetSocketAddress> localAddress() {
        return transport == null ? Optional.empty() : Optional.of(transport.localAddress());
    }

    /**
     * Binds the address {@code previous} had (its actual port, when it was configured with port 0) again, with the
     * configuration {@code was} it had.
     */
    private String restore(TcpTransport previous, InetSocketAddress previousAddress, ListenerConfiguration was) {
        if (previous == null) {
            configured = null;
            return "; listener not started";
        }
        TcpTransport again = new TcpTransport(previous.name(), previous.host(), previousAddress.getPort(),
                previous.backlog(), previous.security());
        try {
            again.start(context);
            transport = again;
            configured = was;
            return "; listener " + previous.name() + " kept on " + previous.host() + ':' + previousAddress.getPort();
        } catch (BindException | RuntimeException e) {
            configured = null;
            return "; the previous address could not be bound again either: " + e.getMessage();
        }
    }
}
