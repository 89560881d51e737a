package io.cairn.metrics.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the endpoint listens: the keys of {@code etc/io.cairn.metrics.cfg}, read and checked.
 *
 * @param host the address to bind, a literal or a name; {@code 127.0.0.1} by default, so that the figures are not
 *             offered to the network unless an operator says so
 * @param port the TCP port, {@value #DEFAULT_PORT} by default; 0 takes any free port
 * @param path the URL path that serves the metrics, {@code /metrics} by default
 */
record MetricsSettings(String host, int port, String path) {

    /** The configuration PID. */
    static final String PID = "io.cairn.metrics";
    static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port: 1883 (MQTT) in the 9xxx range that Prometheus exporters use. */
    static final int DEFAULT_PORT = 9883;
    static final String DEFAULT_PATH = "/metrics";
    static final MetricsSettings DEFAULTS = new MetricsSettings(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PATH);

    private static final List<String> KEYS = List.of("host", "port", "path");

    MetricsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
    }

    /**
     * Reads the settings of a configuration; absent keys take their defaults.
     *
     * @throws IllegalArgumentException naming the first key that is unknown or whose value is invalid, and why
     */
    static MetricsSettings from(Map<String, ?> properties) {
        for (String key : properties.keySet().stream().sorted().toList()) {
            if (!KEYS.contains(key) && !key.startsWith("service.") && !key.startsWith("component.")
                    && !key.startsWith("felix.") && !key.startsWith("osgi.") && !key.equals("objectClass")) {
                throw new IllegalArgumentException("key " + key + ": unknown key (known: host, path, port)");
            }
        }
        String host = text(properties, "host", DEFAULT_HOST);
        if (host.chars().anyMatch(Character::isWhitespace) || host.contains("/")) {
            throw invalid("host", host, "is not a host name or address");
        }
        int port = port(properties);
        String path = text(properties, "path", DEFAULT_PATH);
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")
                || path.chars().anyMatch(c -> c <= ' ' || c == 0x7F)) {
            throw invalid("path", path, "is not a URL path (it starts with / and has no spaces, ? or #)");
        }
        return new MetricsSettings(host, port, path);
    }

    private static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        String s = value.toString().trim();
        if (s.isEmpty()) {
            throw invalid(key, value, "is empty");
        }
        return s;
    }

    private static int port(Map<String, ?> properties) {
        Object value = properties.get("port");
        if (value == null) {
            return DEFAULT_PORT;
        }
        long port;
        if (value instanceof Number n) {
            port = n.longValue();
        } else {
            try {
                port = Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                throw invalid("port", value, "is not a whole number");
            }
        }
        if (port < 0 || port > 65_535) {
            throw invalid("port", value, "is outside 0..65535");
        }
        return (int) port;
    }

    private static IllegalArgumentException invalid(String key, Object value, String problem) {
        return new IllegalArgumentException("key " + key + ": value '" + value + "' " + problem);
    }

    /** Where a configuration comes from, for messages: its file, else its PID. */
    static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            return f.startsWith("file:") ? f.substring(5) : f;
        }
        Object pid = properties.get("service.pid");
        return pid != null ? "PID " + pid : "(no file)";
    }
}
