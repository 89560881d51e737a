package io.cairn.transport.ws;

import io.cairn.transport.tls.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The WebSocket side of a listener: the path clients upgrade on, the sub-protocols offered, the origins browsers
 * may connect from, the largest frame accepted, how long the HTTP upgrade may take, and the TLS settings when the
 * listener is {@code wss}. Immutable; build one with {@link #builder()}.
 *
 * <p>Origins: an empty list lets any origin in. Otherwise each entry is either an exact origin such as
 * {@code https://app.example.com} or {@code http://localhost:8080} (scheme, host, and port when not the scheme's
 * default, as browsers send it), or a pattern {@code *.example.com} (any scheme and port, any host below
 * {@code example.com}, not {@code example.com} itself), optionally with a scheme: {@code https://*.example.com}.
 * A request without an {@code Origin} header (not a browser: Paho, HiveMQ, mosquitto) is not checked.
 */
public final class WsSettings {

    /** The path used when none is configured, as in EMQX, HiveMQ's examples and MQTT.js's documentation. */
    public static final String DEFAULT_PATH = "/mqtt";

    /**
     * The sub-protocols offered when none are configured: {@code mqtt} (MQTT 3.1.1 and 5.0, [MQTT-6.0.0-3]) and
     * {@code mqttv3.1} (MQTT 3.1 clients).
     */
    public static final List<String> DEFAULT_SUBPROTOCOLS = List.of("mqtt", "mqttv3.1");

    /**
     * The largest frame payload accepted when none is configured: 1 MiB, the kernel's default largest MQTT packet,
     * so a client that sends one packet per frame (Paho, MQTT.js) can send any packet the kernel accepts. Larger
     * packets may still arrive split across frames.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;

    /** The time from TCP accept (after TLS, for wss) to a complete upgrade request, when none is configured. */
    public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
            + "|\\[[0-9a-f:.]+\\]");

    private final String path;
    private final List<String> subprotocols;
    private final List<String> allowedOrigins;
    private final int maxFrameSize;
    private final Duration upgradeTimeout;
    private final TlsSettings tls;

    private WsSettings(Builder b) {
        this.path = b.path;
        this.subprotocols = List.copyOf(b.subprotocols);
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.maxFrameSize = b.maxFrameSize;
        this.upgradeTimeout = b.upgradeTimeout;
        this.tls = b.tls;
    }

    /** Starts settings with every default: {@value #DEFAULT_PATH}, {@code mqtt} and {@code mqttv3.1}, any origin. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, for plain {@code ws}. */
    public static WsSettings defaults() {
        return builder().build();
    }

    /** The path clients upgrade on, for example {@code /mqtt}; requests for any other path get HTTP 404. */
    public String path() {
        return path;
    }

    /** The sub-protocols offered, in order of preference; a client offering none of them gets HTTP 400. */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /** The origins and origin patterns browsers may connect from; empty for any. Lower case. */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** The largest frame payload accepted, in bytes; a larger frame closes the connection with status 1009. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** How long a client has from TCP accept (after TLS, for wss) to a completed WebSocket upgrade. */
    public Duration upgradeTimeout() {
        return upgradeTimeout;
    }

    /** The TLS settings of a {@code wss} listener, or {@code null} for plain {@code ws}. */
    public TlsSettings tls() {
        return tls;
    }

    /**
     * Whether a browser from {@code origin} (the {@code Origin} header as sent, for example
     * {@code https://app.example.com}) may connect.
     */
    public boolean allows(String origin) {
        if (allowedOrigins.isEmpty()) {
            return true;
        }
        String o = origin.strip().toLowerCase(Locale.ROOT);
        int schemeEnd = o.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : o.substring(0, schemeEnd);
        String authority = schemeEnd < 0 ? o : o.substring(schemeEnd + 3);
        String host = hostOf(authority);
        for (String allowed : allowedOrigins) {
            int star = allowed.indexOf("*.");
            if (star < 0) {
                if (allowed.equals(o)) {
                    return true;
                }
                continue;
            }
            if (star > 0 && !allowed.substring(0, star - 3).equals(scheme)) {
                continue;
            }
            String rest = allowed.substring(star + 1); // ".example.com" or ".example.com:8443"
            String domain = hostOf(rest.substring(1));
            String port = rest.substring(1 + domain.length());
            if (host.endsWith('.' + domain) && host.length() > domain.length() + 1
                    && (port.isEmpty() || authority.endsWith(port))) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(0, end + 1);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WsSettings w && path.equals(w.path) && subprotocols.equals(w.subprotocols)
                && allowedOrigins.equals(w.allowedOrigins) && maxFrameSize == w.maxFrameSize
                && upgradeTimeout.equals(w.upgradeTimeout) && Objects.equals(tls, w.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, subprotocols, allowedOrigins, maxFrameSize, upgradeTimeout, tls);
    }

    @Override
    public String toString() {
        return "WsSettings[" + path + ", " + subprotocols + ", origins " + allowedOrigins + ", maxFrameSize "
                + maxFrameSize + ", upgrade " + upgradeTimeout.toMillis() + " ms" + (tls == null ? "" : ", tls")
                + ']';
    }

    /**
     * Builds {@link WsSettings}; {@link #build()} checks every value and throws an
     * {@link IllegalArgumentException} whose message starts with {@code key <name>} for the first bad one.
     */
    public static final class Builder {
        private String path = DEFAULT_PATH;
        private List<String> subprotocols = DEFAULT_SUBPROTOCOLS;
        private List<String> allowedOrigins = List.of();
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private Duration upgradeTimeout = DEFAULT_UPGRADE_TIMEOUT;
        private TlsSettings tls;

        private Builder() {
        }

        /** The path clients upgrade on: starts with {@code /}, no query, no spaces. */
        public Builder path(String path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The sub-protocols offered, in order of preference; at least one. */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = List.copyOf(subprotocols);
            return this;
        }

        /** The origins and origin patterns browsers may connect from; empty for any. */
        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = List.copyOf(allowedOrigins);
            return this;
        }

        /** The largest frame payload accepted, 125 bytes to 256 MiB. */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** How long the upgrade may take from TCP accept; positive. */
        public Builder upgradeTimeout(Duration upgradeTimeout) {
            this.upgradeTimeout = Objects.requireNonNull(upgradeTimeout, "upgradeTimeout");
            return this;
        }

        /** The TLS settings for {@code wss}, or {@code null} for plain {@code ws}. */
        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Checks the values and builds the settings.
         *
         * @throws IllegalArgumentException starting with {@code key <name>}: a path that does not start with
         *                                  {@code /} or holds a query, space or {@code #}; no sub-protocol or a
         *                                  blank one; an origin that is neither {@code scheme://host[:port]} nor a
         *                                  {@code *.domain} pattern; a frame size outside 125..268435456; a
         *                                  handshake timeout that is not positive
         */
        public WsSettings build() {
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c == '?' || c == '#' || c <= ' ' || c == 127)) {
                throw new IllegalArgumentException("key path = '" + path
                        + "' is not a URL path such as /mqtt (it must start with /, with no query, # or spaces)");
            }
            if (subprotocols.isEmpty() || subprotocols.stream().anyMatch(s -> s.isBlank() || s.contains(",")
                    || s.chars().anyMatch(c -> c <= ' '))) {
                throw new IllegalArgumentException("key subprotocols = '" + String.join(",", subprotocols)
                        + "' must name at least one sub-protocol, such as mqtt");
            }
            List<String> origins = new ArrayList<>();
            for (String raw : allowedOrigins) {
                String origin = raw.strip().toLowerCase(Locale.ROOT);
                if (!validOrigin(origin)) {
                    throw new IllegalArgumentException("key allowedOrigins: '" + raw + "' is neither an origin "
                            + "such as https://app.example.com nor a pattern such as *.example.com");
                }
                origins.add(origin);
            }
            allowedOrigins = origins;
            if (maxFrameSize < 125 || maxFrameSize > 1 << 28) {
                throw new IllegalArgumentException("key maxFrameSize = '" + maxFrameSize
                        + "' is outside 125..268435456 bytes");
            }
            if (upgradeTimeout.isNegative() || upgradeTimeout.isZero()) {
                throw new IllegalArgumentException("key upgradeTimeoutMillis = '" + upgradeTimeout.toMillis()
                        + "' must be positive");
            }
            return new WsSettings(this);
        }

        /** {@code scheme://host[:port]}, {@code *.domain[:port]} or {@code scheme://*.domain[:port]}. */
        private static boolean validOrigin(String origin) {
            int schemeEnd = origin.indexOf("://");
            String scheme = schemeEnd < 0 ? null : origin.substring(0, schemeEnd);
            String authority = schemeEnd < 0 ? origin : origin.substring(schemeEnd + 3);
            if (scheme != null && !SCHEME.matcher(scheme).matches()) {
                return false;
            }
            boolean wildcard = authority.startsWith("*.");
            if (!wildcard && scheme == null) {
                return false; // "example.com": an origin always has a scheme
            }
            String hostPort = wildcard ? authority.substring(2) : authority;
            String host = hostOf(hostPort);
            String port = hostPort.substring(host.length());
            if (!port.isEmpty() && !port.matches(":[0-9]{1,5}")) {
                return false;
            }
            return HOST.matcher(host).matches() && !(wildcard && host.startsWith("["));
        }
    }
}
