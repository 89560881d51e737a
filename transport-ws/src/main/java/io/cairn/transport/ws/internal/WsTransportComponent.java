package io.cairn.transport.ws.internal;

import io.cairn.api.transport.InvalidConfigurationException;
import io.cairn.api.transport.ListenerConfiguration;
import io.cairn.api.transport.TransportContext;
import io.cairn.transport.tls.TlsConfigurationException;
import io.cairn.transport.tls.TlsFront;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.ws.WsSettings;
import io.cairn.transport.ws.WsTransport;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * Runs one {@link WsTransport} per factory configuration of {@value #PID}, that is one per
 * {@code etc/io.cairn.transport.ws-<name>.cfg} file, and rebinds it when the configuration changes.
 *
 * <p>{@code tls = true} makes the listener {@code wss}, with the TLS keys of the TLS listener
 * ({@code certificateFile}, {@code keyFile}, ..., {@code sni.<host>.*}); with {@code tls = false} (the default) a
 * TLS key is an error rather than silently ignored. The port defaults to {@value WsTransport#DEFAULT_PORT} for
 * {@code ws} and {@value WsTransport#DEFAULT_SECURE_PORT} for {@code wss}.
 *
 * <p>An invalid configuration (a bad path, origin pattern or frame size; for {@code wss} a key or certificate that
 * cannot be used) is rejected with one ERROR line naming the file, the key and the problem: a new listener is then
 * not started, and a running one keeps its previous address and settings. Changes of the certificate files
 * themselves are picked up by the transport (see {@link WsTransport#reload()}), without this component.
 */
@Component(configurationPid = WsTransportComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = WsTransportConfiguration.class, factory = true)
public final class WsTransportComponent {

    /** The factory configuration PID of WebSocket listeners. */
    public static final String PID = "io.cairn.transport.ws";

    /** The keys that only a {@code wss} listener may set (besides {@code sni.<host>.*}). */
    static final List<String> TLS_KEYS = List.of("certificateFile", "keyFile", "keyPassword", "keyStore",
            "keyStorePassword", "keyStoreType", "caFile", "clientAuth", "protocols", "cipherSuites", "provider",
            "reloadIntervalMillis", "handshakeTimeoutMillis", "usernameFrom");

    private static final Logger LOG = LoggerFactory.getLogger(WsTransportComponent.class);

    @Reference
    private TransportContext context;

    /** The listener bound now, or null. */
    private WsTransport transport;
    /** The configuration {@link #transport} was created from (its port may be 0 where the transport's is not). */
    private ListenerConfiguration configured;

    /** Used by Declarative Services. */
    public WsTransportComponent() {
    }

    WsTransportComponent(TransportContext context) {
        this.context = context;
    }

    // the configuration type is taken only so that the component description carries its defaults as properties;
    // the keys are read from the properties, the way every transport reads them (ListenerConfiguration)
    @Activate
    private void activate(WsTransportConfiguration config, Map<String, Object> properties) {
        apply(properties);
    }

    @Modified
    private void modified(WsTransportConfiguration config, Map<String, Object> properties) {
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
     * Validates a configuration (the keys {@link WsTransportConfiguration} describes) and binds the listener it
     * describes, replacing the one bound now if it differs.
     */
    synchronized void apply(Map<String, Object> properties) {
        String source = ListenerConfiguration.source(PID, properties);
        WsTransport previous = transport;
        String outcome = previous == null ? "listener not started"
                : "listener " + previous.name() + " keeps running on " + previous.host() + ':'
                + previous.localAddress().getPort() + " with its previous settings";
        ListenerConfiguration next;
        WsSettings ws;
        try {
            boolean secure = ListenerConfiguration.flag(properties, "tls", false);
            next = ListenerConfiguration.read(PID, properties,
                    secure ? WsTransport.DEFAULT_SECURE_PORT : WsTransport.DEFAULT_PORT);
            ws = settings(properties, source, secure);
        } catch (InvalidConfigurationException | TlsConfigurationException | IllegalArgumentException e) {
            // IllegalArgumentException: a WsSettings value out of range (path, origin pattern, frame size)
            LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
            return;
        }
        ListenerConfiguration was = configured;
        if (previous != null && was.sameSocket(next) && previous.settings().equals(ws)) {
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
        if (previous != null && ws.tls() != null) {
            // check the new files before giving up the running listener
            try (TlsFront check = TlsFront.open(next.name(), ws.tls())) {
                LOG.debug("Configuration {}: the new TLS files of listener {} load (certificate serial {})", source,
                        next.name(), check.certificate().getSerialNumber().toString(16));
            } catch (TlsConfigurationException e) {
                LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
                return;
            }
        }
        InetSocketAddress previousAddress = previous == null ? null : previous.localAddress();
        if (previous != null) {
            if (was.sameSocket(next)) {
                // new WebSocket or TLS settings on the same socket: the next transport adopts it, nobody is refused
                previous.handOver(was.handoverWait(), Duration.ZERO);
            } else {
                previous.stop();
            }
            transport = null;
        }
        configured = next;
        WsTransport started = new WsTransport(next.name(), next.host(), next.port(), next.backlog(), next.security(),
                ws);
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
     * The WebSocket keys of a configuration and, for wss, its TLS keys; a TLS key in a ws configuration is an error
     * rather than silently ignored.
     */
    private static WsSettings settings(Map<String, Object> properties, String source, boolean secure)
            throws InvalidConfigurationException, TlsConfigurationException {
        if (!secure) {
            for (String key : properties.keySet()) {
                if (TLS_KEYS.contains(key) || key.startsWith("sni.")) {
                    throw new InvalidConfigurationException(key, properties.get(key),
                            "is a TLS key but tls is false (set tls = true for wss)");
                }
            }
        }
        WsSettings.Builder ws = WsSettings.builder();
        String path = ListenerConfiguration.text(properties, "path", "");
        if (!path.isEmpty()) {
            ws.path(path);
        }
        String subprotocols = ListenerConfiguration.text(properties, "subprotocols", "");
        if (!subprotocols.isEmpty()) {
            ws.subprotocols(list(subprotocols));
        }
        String origins = ListenerConfiguration.text(properties, "allowedOrigins", "");
        if (!origins.isEmpty()) {
            ws.allowedOrigins(list(origins));
        }
        long maxFrameSize = ListenerConfiguration.number(properties, "maxFrameSize", WsSettings.DEFAULT_MAX_FRAME_SIZE);
        if (maxFrameSize < Integer.MIN_VALUE || maxFrameSize > Integer.MAX_VALUE) {
            throw new InvalidConfigurationException("maxFrameSize", properties.get("maxFrameSize"),
                    "is outside the range of frame sizes");
        }
        ws.maxFrameSize((int) maxFrameSize);
        ws.upgradeTimeout(Duration.ofMillis(ListenerConfiguration.number(properties, "upgradeTimeoutMillis",
                WsSettings.DEFAULT_UPGRADE_TIMEOUT.toMillis())));
        if (secure) {
            ws.tls(TlsSettings.fromProperties(source, properties));
        }
        return ws.build();
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
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
    synchronized Optional<WsTransport> transport() {
        return Optional.ofNullable(transport);
    }

    /**
     * Starts the listener {@code previous} was (on its actual port, when it was configured with port 0) again, with
     * the configuration {@code was} it had.
     */
    private String restore(WsTransport previous, InetSocketAddress previousAddress, ListenerConfiguration was) {
        if (previous == null) {
            configured = null;
            return "; listener not started";
        }
        WsTransport again = new WsTransport(previous.name(), previous.host(), previousAddress.getPort(),
                previous.backlog(), previous.security(), previous.settings());
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
