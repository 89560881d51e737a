package io.cairn.bridge;

import io.cairn.client.MqttProtocolVersion;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one bridge, as read from an {@code etc/io.cairn.bridge-<name>.cfg} file ({@link #from}) or
 * given by a library user. docs/bridge.md describes every key.
 *
 * @param name                 the bridge's name: its local session is {@code $bridge/<name>}
 * @param host                 the remote broker's host
 * @param port                 the remote broker's port
 * @param protocol             MQTT 5 or 3.1.1 to the remote
 * @param clientId             the client identifier at the remote
 * @param username             the user name at the remote, or {@code null}
 * @param password             the password at the remote, or {@code null}
 * @param keepAliveSeconds     the keep-alive with the remote, 0 for none
 * @param cleanSession         whether the remote session starts clean (and ends with the connection); a
 *                             persistent remote session (false, the default) is what keeps QoS 2 exactly once
 *                             across reconnects
 * @param sessionExpirySeconds MQTT 5: how long the remote keeps the session after a disconnection
 * @param tls                  TLS to the remote, or {@code null} for plain TCP
 * @param topics               the topic mappings, at least one
 * @param maxInflight          how many QoS 1/2 messages each way may wait for their acknowledgement at once
 * @param reconnectMinMillis   the first delay before connecting again after a failure
 * @param reconnectMaxMillis   the longest delay between attempts (the delay doubles up to it, with jitter)
 */
public record BridgeSettings(String name, String host, int port, MqttProtocolVersion protocol, String clientId,
                             String username, String password, int keepAliveSeconds, boolean cleanSession,
                             long sessionExpirySeconds, Tls tls, List<TopicMapping> topics, int maxInflight,
                             long reconnectMinMillis, long reconnectMaxMillis) {

    /** The factory configuration PID: one configuration per {@code etc/io.cairn.bridge-<name>.cfg}. */
    public static final String PID = "io.cairn.bridge";

    /**
     * TLS to the remote.
     *
     * @param caFile               PEM file of the certificate authorities to trust, or {@code null} for the JDK's
     * @param certFile             PEM certificate chain of the bridge (mutual TLS), or {@code null}
     * @param keyFile              PEM (PKCS#8) private key of {@code certFile}, or {@code null}
     * @param keyPassword          the password of an encrypted {@code keyFile}, or {@code null}
     * @param serverName           the SNI name sent and verified; {@code null}: the host
     * @param hostnameVerification whether the server certificate must name the server
     */
    public record Tls(Path caFile, Path certFile, Path keyFile, String keyPassword, String serverName,
                      boolean hostnameVerification) {

        @Override
        public String toString() {
            return "Tls[caFile=" + caFile + ", certFile=" + certFile + ", keyFile=" + keyFile + ", serverName="
                    + serverName + ", hostnameVerification=" + hostnameVerification + "]";
        }
    }

    private static final Set<String> KEYS = Set.of("name", "address", "protocol", "clientId", "username",
            "password", "keepAlive", "cleanSession", "sessionExpiry", "tls", "tls.caFile", "tls.certFile",
            "tls.keyFile", "tls.keyPassword", "tls.serverName", "tls.hostnameVerification", "maxInflight",
            "reconnectMinMillis", "reconnectMaxMillis");
    private static final Pattern TOPIC_KEY = Pattern.compile("topic(?:\\.(.+))?");
    private static final Pattern ADDRESS = Pattern.compile("(\\[[^\\]]+\\]|[^:\\[\\]\\s]+)(?::(\\d+))?");

    public BridgeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(clientId, "clientId");
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a bridge needs at least one topic mapping");
        }
    }

    /** Where the bridge links to, for logs and the broker's list: {@code mqtts://host:8883 (MQTT 5)}. */
    public String remote() {
        String h = host.contains(":") && !host.startsWith("[") ? '[' + host + ']' : host;
        return (tls == null ? "mqtt://" : "mqtts://") + h + ':' + port + " (MQTT "
                + (protocol == MqttProtocolVersion.MQTT_5 ? "5" : "3.1.1") + ')';
    }

    @Override
    public String toString() {
        return "BridgeSettings[" + name + " to " + remote() + ", clientId=" + clientId + ", username=" + username
                + ", password=" + (password == null ? "none" : "(hidden)") + ", keepAlive=" + keepAliveSeconds
                + ", cleanSession=" + cleanSession + ", sessionExpiry=" + sessionExpirySeconds + ", tls=" + tls
                + ", topics=" + topics + ", maxInflight=" + maxInflight + ", reconnect=" + reconnectMinMillis
                + ".." + reconnectMaxMillis + " ms]";
    }

    /** The keys of {@code properties} that are neither settings, mappings nor framework properties. */
    static List<String> unknownKeys(Map<String, ?> properties) {
        return properties.keySet().stream()
                .filter(k -> !KEYS.contains(k) && !TOPIC_KEY.matcher(k).matches())
                .filter(k -> !k.startsWith("service.") && !k.startsWith("component.") && !k.startsWith("felix.")
                        && !k.startsWith("osgi.") && !k.equals("objectClass"))
                .sorted()
                .toList();
    }

    /** Where a configuration comes from, for messages: its file, else its PID. */
    public static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            return f.startsWith("file:") ? f.substring(5) : f;
        }
        Object pid = properties.get("service.pid");
        return pid != null ? "PID " + pid : "(no file)";
    }

    /**
     * Reads the settings of a configuration.
     *
     * @param home the directory relative file names resolve against
     * @throws IllegalArgumentException naming the first key that is unknown or whose value is invalid, and why
     */
    public static BridgeSettings from(Map<String, ?> properties, Path home) {
        List<String> unknown = unknownKeys(properties);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("key " + unknown.get(0) + ": unknown key (known: " + KEYS.stream()
                    .sorted().reduce((a, b) -> a + ", " + b).orElse("") + ", topic.<n>)");
        }
        String name = text(properties, "name");
        if (name == null) {
            name = factoryName(properties);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key name: missing, and the configuration's file does not give one");
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw invalid("name", name, "may hold only letters, digits, '.', '_' and '-'");
        }
        String address = text(properties, "address");
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("key address: missing; give the remote broker as host[:port]");
        }
        Matcher m = ADDRESS.matcher(address);
        if (!m.matches()) {
            throw invalid("address", address, "is not host[:port]");
        }
        String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        MqttProtocolVersion protocol = protocol(text(properties, "protocol"));
        Tls tls = tls(properties, home);
        int port;
        if (m.group(2) != null) {
            port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw invalid("address", address, "has a port outside 1..65535");
            }
        } else {
            port = tls != null ? 8883 : 1883;
        }
        String clientId = text(properties, "clientId");
        if (clientId == null) {
            clientId = "cairn-bridge-" + name;
        }
        if (clientId.isEmpty() || clientId.length() > 65535) {
            throw invalid("clientId", clientId, "must not be empty");
        }
        String username = text(properties, "username");
        String password = text(properties, "password");
        if (password != null && username == null && protocol != MqttProtocolVersion.MQTT_5) {
            throw invalid("password", "(hidden)", "needs a username with MQTT 3.1.1");
        }
        int keepAlive = (int) whole(properties, "keepAlive", 60, 0, 65535);
        boolean clean = bool(properties, "cleanSession", false);
        long expiry = whole(properties, "sessionExpiry", 86_400, 0, 4_294_967_295L);
        List<TopicMapping> topics = topics(properties);
        int inflight = (int) whole(properties, "maxInflight", 1000, 1, 65535);
        long min = whole(properties, "reconnectMinMillis", 1000, 10, 3_600_000);
        long max = whole(properties, "reconnectMaxMillis", 60_000, 10, 86_400_000);
        if (max < min) {
            throw invalid("reconnectMaxMillis", max, "is less than reconnectMinMillis (" + min + ")");
        }
        return new BridgeSettings(name.strip(), host, port, protocol, clientId, username, password, keepAlive, clean,
                expiry, tls, topics, inflight, min, max);
    }

    private static MqttProtocolVersion protocol(String value) {
        if (value == null) {
            return MqttProtocolVersion.MQTT_5;
        }
        return switch (value) {
            case "mqttv5", "mqttv50", "5", "5.0" -> MqttProtocolVersion.MQTT_5;
            case "mqttv311", "3.1.1", "4" -> MqttProtocolVersion.MQTT_3_1_1;
            default -> throw invalid("protocol", value, "is not mqttv5 or mqttv311");
        };
    }

    private static Tls tls(Map<String, ?> properties, Path home) {
        boolean anyTlsKey = properties.keySet().stream().anyMatch(k -> k.startsWith("tls."));
        Object explicit = properties.get("tls");
        boolean on = explicit != null ? bool(properties, "tls", false) : anyTlsKey;
        if (!on) {
            if (anyTlsKey) {
                throw invalid("tls", explicit, "is false but tls.* keys are set");
            }
            return null;
        }
        Path ca = file(properties, "tls.caFile", home);
        Path cert = file(properties, "tls.certFile", home);
        Path key = file(properties, "tls.keyFile", home);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(cert == null ? "key tls.certFile: missing; tls.keyFile needs it"
                    : "key tls.keyFile: missing; tls.certFile needs it");
        }
        return new Tls(ca, cert, key, text(properties, "tls.keyPassword"), text(properties, "tls.serverName"),
                bool(properties, "tls.hostnameVerification", true));
    }

    private static List<TopicMapping> topics(Map<String, ?> properties) {
        List<String> keys = properties.keySet().stream().filter(k -> TOPIC_KEY.matcher(k).matches())
                .sorted(Comparator.comparing(BridgeSettings::sortKey)).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("key topic.1: missing; a bridge needs at least one mapping "
                    + "(topic.1 = pattern [in|out|both [qos [local-prefix remote-prefix]]])");
        }
        List<TopicMapping> topics = new ArrayList<>();
        for (String k : keys) {
            String value = text(properties, k);
            try {
                topics.add(TopicMapping.parse(value == null ? "" : value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key " + k + ": mapping '" + value + "' " + e.getMessage(), e);
            }
        }
        return topics;
    }

    /** topic.2 before topic.10; names after numbers, alphabetically. */
    private static String sortKey(String key) {
        String suffix = key.length() > 6 ? key.substring(6) : "";
        return suffix.matches("\\d{1,9}") ? String.format("%09d", Integer.parseInt(suffix)) : "~" + suffix;
    }

    /** The {@code <name>} of a configuration made from {@code io.cairn.bridge-<name>.cfg}. */
    private static String factoryName(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            String base = f.substring(f.lastIndexOf('/') + 1);
            if (base.startsWith(PID + "-") && base.endsWith(".cfg")) {
                return base.substring(PID.length() + 1, base.length() - 4);
            }
        }
        return null;
    }

    private static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(key, value, "is not text");
        }
        return s.strip();
    }

    private static Path file(Map<String, ?> properties, String key, Path home) {
        String value = text(properties, key);
        if (value == null) {
            return null;
        }
        Path p;
        try {
            p = home.resolve(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid(key, value, "is not a file name: " + e.getReason());
        }
        if (!Files.isRegularFile(p)) {
            throw invalid(key, value, "file " + p + " does not exist");
        }
        if (!Files.isReadable(p)) {
            throw invalid(key, value, "file " + p + " cannot be read");
        }
        return p;
    }

    private static long whole(Map<String, ?> properties, String key, long fallback, long min, long max) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        long l;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            l = ((Number) value).longValue();
        } else {
            try {
                l = Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                throw invalid(key, value, "is not a whole number");
            }
        }
        if (l < min || l > max) {
            throw invalid(key, value, "is outside " + min + ".." + max);
        }
        return l;
    }

    private static boolean bool(Map<String, ?> properties, String key, boolean fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(key, value, "is not true or false");
    }

    private static IllegalArgumentException invalid(String key, Object value, String problem) {
        return new IllegalArgumentException("key " + key + ": value '" + value + "' " + problem);
    }
}
