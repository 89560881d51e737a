package io.cairn.api.transport;

import io.cairn.api.auth.ListenerSecurity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The keys every listener's configuration file shares, read the same way by every transport: {@code name}
 * (default: the {@code <name>} of {@code etc/<pid>-<name>.cfg}), {@code host} (default {@code 127.0.0.1}),
 * {@code port}, {@code backlog} (default 1024), {@code allowAnonymous} (default false), {@code authenticators},
 * {@code authorizers}, {@code handoverMillis} (default 30000) and {@code drainMillis} (default 0). Values may be
 * typed (Config Admin) or text (a {@code .cfg} file). Immutable. Since 1.2.
 */
public final class ListenerConfiguration {

    /** The accept queue length used when none is configured. */
    public static final int DEFAULT_BACKLOG = 1024;

    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final String source;
    private final String name;
    private final String host;
    private final int port;
    private final int backlog;
    private final ListenerSecurity security;
    private final Duration handoverWait;
    private final Duration drain;

    private ListenerConfiguration(String source, String name, String host, int port, int backlog,
                                  ListenerSecurity security, Duration handoverWait, Duration drain) {
        this.source = source;
        this.name = name;
        this.host = host;
        this.port = port;
        this.backlog = backlog;
        this.security = security;
        this.handoverWait = handoverWait;
        this.drain = drain;
    }

    /**
     * Reads the shared keys of one factory configuration.
     *
     * @param factoryPid  the transport's factory PID, such as {@code io.cairn.transport.tcp}
     * @param properties  the configuration's properties
     * @param defaultPort the port when none is configured
     * @throws InvalidConfigurationException naming the key, its value and the problem
     */
    public static ListenerConfiguration read(String factoryPid, Map<String, ?> properties, int defaultPort)
            throws InvalidConfigurationException {
        Objects.requireNonNull(factoryPid, "factoryPid");
        String name = properties.containsKey("name") ? text(properties, "name", "")
                : factoryName(factoryPid, properties);
        if (name == null || name.isBlank()) {
            throw new InvalidConfigurationException("name", properties.get("name"), "must not be empty");
        }
        String host = text(properties, "host", "127.0.0.1");
        if (host.isBlank()) {
            throw new InvalidConfigurationException("host", properties.get("host"), "must not be empty");
        }
        long port = number(properties, "port", defaultPort);
        if (port < 0 || port > 65535) {
            throw new InvalidConfigurationException("port", properties.get("port"), "is outside 0..65535");
        }
        long backlog = number(properties, "backlog", DEFAULT_BACKLOG);
        if (backlog < 1 || backlog > Integer.MAX_VALUE) {
            throw new InvalidConfigurationException("backlog", properties.get("backlog"), "must be at least 1");
        }
        boolean anonymous = flag(properties, "allowAnonymous", false);
        long wait = number(properties, "handoverMillis", TransportContext.DEFAULT_HANDOVER_WAIT.toMillis());
        if (wait < 1) {
            throw new InvalidConfigurationException("handoverMillis", properties.get("handoverMillis"),
                    "must be at least 1");
        }
        long drain = number(properties, "drainMillis", 0);
        if (drain < 0) {
            throw new InvalidConfigurationException("drainMillis", properties.get("drainMillis"),
                    "must not be negative");
        }
        ListenerSecurity security = new ListenerSecurity(anonymous, text(properties, "authenticators", ""),
                text(properties, "authorizers", ""));
        return new ListenerConfiguration(source(factoryPid, properties), name.strip(), host.strip(), (int) port,
                (int) backlog, security, Duration.ofMillis(wait), Duration.ofMillis(drain));
    }

    /**
     * Where a configuration came from, for log lines: its file when FileInstall created it (a path, not a URL), else
     * its PID.
     */
    public static String source(String factoryPid, Map<String, ?> properties) {
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
        return pid == null ? factoryPid : pid.toString();
    }

    /** A key's text, stripped, or {@code fallback} when it is absent. */
    public static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null ? fallback : value.toString().strip();
    }

    /**
     * A whole number key ({@code 1883}, typed or as text), or {@code fallback} when it is absent.
     *
     * @throws InvalidConfigurationException if the value is not a whole number
     */
    public static long number(Map<String, ?> properties, String key, long fallback)
            throws InvalidConfigurationException {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        try {
            return Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(key, value, "is not a number");
        }
    }

    /**
     * A {@code true}/{@code false} key (typed or as text, any case), or {@code fallback} when it is absent.
     *
     * @throws InvalidConfigurationException if the value is neither
     */
    public static boolean flag(Map<String, ?> properties, String key, boolean fallback)
            throws InvalidConfigurationException {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().strip();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new InvalidConfigurationException(key, value, "is neither true nor false");
    }

    /**
     * The name of a factory configuration: {@code default} for {@code <pid>~default} or for the file
     * {@code <pid>-default.cfg}; {@code null} when neither tells.
     */
    private static String factoryName(String factoryPid, Map<String, ?> properties) {
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && s.startsWith(factoryPid + '~')) {
            return s.substring(factoryPid.length() + 1);
        }
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            String location = file.toString();
            String fileName = location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
            String prefix = factoryPid + '-';
            if (fileName.startsWith(prefix) && fileName.endsWith(".cfg") && fileName.length() > prefix.length() + 4) {
                return fileName.substring(prefix.length(), fileName.length() - 4);
            }
        }
        return null;
    }

    /** The configuration file (or PID) these settings came from. */
    public String source() {
        return source;
    }

    /** The listener's name, unique in the broker. */
    public String name() {
        return name;
    }

    /** The host name or address literal to bind. */
    public String host() {
        return host;
    }

    /** The port to bind, 0 for any free port. */
    public int port() {
        return port;
    }

    /** The accept queue length. */
    public int backlog() {
        return backlog;
    }

    /** Anonymous access and the selectors of the listener's authenticators and authorizers. */
    public ListenerSecurity security() {
        return security;
    }

    /** How long the socket waits for the transport's next version when the bundle stops. */
    public Duration handoverWait() {
        return handoverWait;
    }

    /** Over how long open connections are closed once the next version serves; zero keeps them. */
    public Duration drain() {
        return drain;
    }

    /** Whether {@code other} listens where this does (name, host, port, backlog), so it can adopt its socket. */
    public boolean sameSocket(ListenerConfiguration other) {
        return name.equals(other.name) && host.equals(other.host) && port == other.port && backlog == other.backlog;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListenerConfiguration c && source.equals(c.source) && sameSocket(c)
                && security.equals(c.security) && handoverWait.equals(c.handoverWait) && drain.equals(c.drain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, host, port, backlog);
    }

    @Override
    public String toString() {
        return "ListenerConfiguration[" + name + ' ' + host + ':' + port + ", " + source + ']';
    }
}
