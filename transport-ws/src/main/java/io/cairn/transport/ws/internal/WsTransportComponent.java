package io.cairn.transport.ws.internal;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.transport.TransportContext;
import io.cairn.transport.tls.TlsConfigurationException;
import io.cairn.transport.tls.TlsFront;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.ws.WsSettings;
import io.cairn.transport.ws.WsTransport;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
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
            "reloadIntervalMillis", "handshakeTimeoutMillis");

    private static final Logger LOG = LoggerFactory.getLogger(WsTransportComponent.class);
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    @Reference
    private TransportContext context;

    /** The listener bound now, or null. */
    private WsTransport transport;
    /** The configuration {@link #transport} was created from (its port may be 0 where the transport's is not). */
    private WsTransport configured;
    /** How the listener's socket is handed to the next version of this bundle. */
    private Duration handoverWait = Duration.ofMillis(30_000);
    private Duration drain = Duration.ZERO;

    /** Used by Declarative Services. */
    public WsTransportComponent() {
    }

    WsTransportComponent(TransportContext context) {
        this.context = context;
    }

    @Activate
    private void activate(WsTransportConfiguration config, Map<String, Object> properties) {
        apply(config, properties);
    }

    @Modified
    private void modified(WsTransportConfiguration config, Map<String, Object> properties) {
        apply(config, properties);
    }

    @Deactivate
    private void deactivate(int reason) {
        if (reason == ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED) {
            handOver(); // most likely an update: the next version adopts the socket
        } else {
            close();
        }
    }

    /** Validates {@code config} and binds the listener it describes, replacing the one bound now if it differs. */
    synchronized void apply(WsTransportConfiguration config, Map<String, Object> properties) {
        String source = source(properties);
        WsTransport previous = transport;
        String outcome = previous == null ? "listener not started"
                : "listener " + previous.name() + " keeps running on " + previous.host() + ':'
                + previous.localAddress().getPort() + " with its previous settings";
        Optional<WsTransport> wanted = validate(config, properties, source, outcome);
        Optional<Duration[]> handover = handover(config, properties, source, outcome);
        if (wanted.isEmpty() || handover.isEmpty()) {
            return;
        }
        handoverWait = handover.get()[0];
        drain = handover.get()[1];
        WsTransport next = wanted.get();
        if (previous != null && sameSettings(configured, next)) {
            if (!configured.security().equals(next.security())) {
                try {
                    previous.updateSecurity(next.security());
                    configured = next;
                } catch (IllegalArgumentException e) {
                    LOG.error("Invalid configuration {}: key {}; listener {} keeps its previous security", source,
                            e.getMessage(), previous.name());
                }
            }
            return;
        }
        if (previous != null && next.settings().tls() != null) {
            // check the new files before giving up the running listener
            try (TlsFront check = TlsFront.open(next.name(), next.settings().tls())) {
                LOG.debug("Configuration {}: the new TLS files of listener {} load (certificate serial {})", source,
                        next.name(), check.certificate().getSerialNumber().toString(16));
            } catch (TlsConfigurationException e) {
                LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
                return;
            }
        }
        InetSocketAddress previousAddress = previous == null ? null : previous.localAddress();
        if (previous != null) {
            if (sameSocket(configured, next)) {
                // new WebSocket or TLS settings on the same socket: the next transport adopts it, nobody is refused
                previous.handOver(handoverWait, Duration.ZERO);
            } else {
                previous.stop();
            }
            transport = null;
        }
        try {
            next.start(context);
            transport = next;
            configured = next;
        } catch (TlsConfigurationException e) {
            LOG.error("Invalid configuration {}: {}{}", source, e.getMessage(), restore(previous, previousAddress));
        } catch (BindException | RuntimeException e) {
            LOG.error("Configuration {}: {}{}", source, e.getMessage(), restore(previous, previousAddress));
        }
    }

    /**
     * Lets go of the listener without closing its socket, for the next version of this bundle to adopt within the
     * configured wait; open connections stay (or are drained once it serves, if so configured).
     */
    synchronized void handOver() {
        if (transport != null) {
            transport.handOver(handoverWait, drain);
            transport = null;
            configured = null;
        }
    }

    /** The handover wait and drain of {@code config}, or empty after logging the bad key. */
    private static Optional<Duration[]> handover(WsTransportConfiguration config, Map<String, Object> properties,
                                                 String source, String outcome) {
        long waitMillis;
        long drainMillis;
        try {
            waitMillis = config.handoverMillis();
        } catch (RuntimeException e) {
            return invalid(source, "handoverMillis", properties, "is not a number", outcome);
        }
        if (waitMillis < 1) {
            return invalid(source, "handoverMillis", properties, "must be at least 1", outcome);
        }
        try {
            drainMillis = config.drainMillis();
        } catch (RuntimeException e) {
            return invalid(source, "drainMillis", properties, "is not a number", outcome);
        }
        if (drainMillis < 0) {
            return invalid(source, "drainMillis", properties, "must not be negative", outcome);
        }
        return Optional.of(new Duration[] {Duration.ofMillis(waitMillis), Duration.ofMillis(drainMillis)});
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

    /** Binds the address {@code previous} had (its actual port, when it was configured with port 0) again. */
    private String restore(WsTransport previous, InetSocketAddress previousAddress) {
        if (previous == null) {
            configured = null;
            return "; listener not started";
        }
        WsTransport again = new WsTransport(previous.name(), previous.host(), previousAddress.getPort(),
                previous.backlog(), previous.security(), previous.settings());
        try {
            again.start(context);
            transport = again;
            return "; listener " + previous.name() + " kept on " + previous.host() + ':' + previousAddress.getPort();
        } catch (Exception e) {
            configured = null;
            return "; the previous listener could not be started again either: " + e.getMessage();
        }
    }

    private static Optional<WsTransport> validate(WsTransportConfiguration config, Map<String, Object> properties,
                                                   String source, String outcome) {
        String name;
        String host;
        int port;
        int backlog;
        try {
            name = properties.containsKey("name") ? config.name() : factoryName(properties);
        } catch (RuntimeException e) {
            return invalid(source, "name", properties, "is not a string", outcome);
        }
        if (name == null || name.isBlank()) {
            return invalid(source, "name", properties, "must not be empty", outcome);
        }
        try {
            host = config.host();
        } catch (RuntimeException e) {
            return invalid(source, "host", properties, "is not a string", outcome);
        }
        if (host == null || host.isBlank()) {
            return invalid(source, "host", properties, "must not be empty", outcome);
        }
        Object tlsValue = properties.get("tls");
        boolean secure;
        if (tlsValue == null) {
            secure = false;
        } else if (tlsValue instanceof Boolean b) {
            secure = b;
        } else if (tlsValue.toString().strip().equalsIgnoreCase("true")
                || tlsValue.toString().strip().equalsIgnoreCase("false")) {
            secure = Boolean.parseBoolean(tlsValue.toString().strip());
        } else {
            return invalid(source, "tls", properties, "is neither true nor false", outcome);
        }
        if (!secure) {
            for (String key : properties.keySet()) {
                if (TLS_KEYS.contains(key) || key.startsWith("sni.")) {
                    return invalid(source, key, properties, "is a TLS key but tls is false (set tls = true for "
                            + "wss)", outcome);
                }
            }
        }
        try {
            port = properties.containsKey("port") ? config.port()
                    : secure ? WsTransport.DEFAULT_SECURE_PORT : WsTransport.DEFAULT_PORT;
        } catch (RuntimeException e) {
            return invalid(source, "port", properties, "is not a number", outcome);
        }
        if (port < 0 || port > 65535) {
            return invalid(source, "port", properties, "is outside 0..65535", outcome);
        }
        try {
            backlog = config.backlog();
        } catch (RuntimeException e) {
            return invalid(source, "backlog", properties, "is not a number", outcome);
        }
        if (backlog < 1) {
            return invalid(source, "backlog", properties, "must be at least 1", outcome);
        }
        Object anonymous = properties.get("allowAnonymous");
        boolean allowAnonymous;
        if (anonymous == null) {
            allowAnonymous = false;
        } else if (anonymous instanceof Boolean b) {
            allowAnonymous = b;
        } else if (anonymous.toString().strip().equalsIgnoreCase("true")
                || anonymous.toString().strip().equalsIgnoreCase("false")) {
            allowAnonymous = Boolean.parseBoolean(anonymous.toString().strip());
        } else {
            return invalid(source, "allowAnonymous", properties, "is neither true nor false", outcome);
        }
        ListenerSecurity security = new ListenerSecurity(allowAnonymous, text(properties, "authenticators"),
                text(properties, "authorizers"));

        WsSettings.Builder ws = WsSettings.builder();
        String path = optional(properties, "path");
        if (path != null) {
            ws.path(path);
        }
        String subprotocols = optional(properties, "subprotocols");
        if (subprotocols != null) {
            ws.subprotocols(list(subprotocols));
        }
        String origins = optional(properties, "allowedOrigins");
        if (origins != null) {
            ws.allowedOrigins(list(origins));
        }
        try {
            ws.maxFrameSize(config.maxFrameSize());
        } catch (RuntimeException e) {
            return invalid(source, "maxFrameSize", properties, "is not a number", outcome);
        }
        try {
            ws.upgradeTimeout(Duration.ofMillis(config.upgradeTimeoutMillis()));
        } catch (RuntimeException e) {
            return invalid(source, "upgradeTimeoutMillis", properties, "is not a number", outcome);
        }
        if (secure) {
            try {
                ws.tls(TlsSettings.fromProperties(source, properties));
            } catch (TlsConfigurationException e) {
                LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new WsTransport(name.strip(), host.strip(), port, backlog, security, ws.build()));
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), outcome);
            return Optional.empty();
        }
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String optional(Map<String, Object> properties, String key) {
        Object value = properties.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString().strip();
    }

    private static String text(Map<String, Object> properties, String key) {
        Object value = properties.get(key);
        return value == null ? "" : value.toString();
    }

    private static <T> Optional<T> invalid(String source, String key, Map<String, Object> properties,
                                           String problem, String outcome) {
        Object raw = properties.get(key);
        LOG.error("Invalid configuration {}: key {}{} {}; {}", source, key,
                raw == null ? "" : " = '" + raw + "'", problem, outcome);
        return Optional.empty();
    }

    /** Whether {@code b} listens where {@code a} does, so it can adopt {@code a}'s socket. */
    private static boolean sameSocket(WsTransport a, WsTransport b) {
        return a.name().equals(b.name()) && a.host().equals(b.host()) && a.port() == b.port()
                && a.backlog() == b.backlog();
    }

    private static boolean sameSettings(WsTransport a, WsTransport b) {
        return a.name().equals(b.name()) && a.host().equals(b.host()) && a.port() == b.port()
                && a.backlog() == b.backlog() && a.settings().equals(b.settings());
    }

    /**
     * The name of a factory configuration: {@code default} for {@code io.cairn.transport.ws~default} or for the
     * file {@code io.cairn.transport.ws-default.cfg}; {@code null} when neither tells.
     */
    private static String factoryName(Map<String, Object> properties) {
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && s.startsWith(PID + '~')) {
            return s.substring(PID.length() + 1);
        }
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            String location = file.toString();
            String fileName = location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
            String prefix = PID + '-';
            if (fileName.startsWith(prefix) && fileName.endsWith(".cfg") && fileName.length() > prefix.length() + 4) {
                return fileName.substring(prefix.length(), fileName.length() - 4);
            }
        }
        return null;
    }

    /** The configuration file as a path when FileInstall created the configuration, else its PID. */
    static String source(Map<String, Object> properties) {
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            String location = file.toString();
            if (location.startsWith("file:")) {
                try {
                    return Path.of(URI.create(location)).toString();
                } catch (IllegalArgumentException e) {
                    return location;
                }
            }
            return location;
        }
        Object pid = properties.get("service.pid");
        return pid == null ? PID : pid.toString();
    }
}
