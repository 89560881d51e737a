package io.cairn.transport.tls;

import io.cairn.api.transport.CertificateUsername;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a TLS listener presents and accepts: its key and certificate chain (PEM files or a PKCS#12/JKS key store),
 * the CA bundle client certificates are checked against, whether clients must show one, the protocol versions,
 * the cipher suites and the TLS implementation. Immutable; build one with {@link #builder(String)}.
 *
 * <p>Only files are named here; they are read (and checked: readable, not expired, key matching certificate) each
 * time the listener loads its context, at start and on every change of one of {@link #watchedFiles()}.
 */
public final class TlsSettings {

    /** Whether clients must present a certificate. */
    public enum ClientAuth {
        /** No certificate is asked for. */
        NONE,
        /** A certificate is asked for; a client without one is let in, one with a bad one is refused. */
        OPTIONAL,
        /** A client without a certificate the CA bundle vouches for is refused during the handshake. */
        REQUIRED
    }

    /** Which TLS implementation to use. */
    public enum Provider {
        /** OpenSSL (netty-tcnative) when its native library loads, else the JDK's. */
        AUTO,
        /** The JDK's SSLEngine. */
        JDK,
        /** OpenSSL through netty-tcnative; the listener does not start when it does not load. */
        OPENSSL
    }

    /**
     * An extra certificate shown to clients that ask for {@code host} by SNI (server name indication).
     *
     * @param certificateFile the PEM certificate chain, leaf first
     * @param keyFile         the PEM private key
     * @param keyPassword     the key's password, or {@code null}
     */
    public record SniCertificate(Path certificateFile, Path keyFile, String keyPassword) {
        public SniCertificate {
            Objects.requireNonNull(certificateFile, "certificateFile");
            Objects.requireNonNull(keyFile, "keyFile");
        }

        @Override
        public String toString() { // no password
            return "SniCertificate[" + certificateFile + ", " + keyFile + ']';
        }
    }

    /** The only protocol versions a listener may offer. */
    public static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    /** The protocols offered when none are configured: TLS 1.3 and 1.2. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * The cipher suites offered when none are configured: the TLS 1.3 suites, and for TLS 1.2 only ephemeral ECDH
     * key exchange with AES-GCM or ChaCha20-Poly1305 (forward secrecy, AEAD). Suites the provider lacks are left
     * out.
     */
    public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final String source;
    private final Path certificateFile;
    private final Path keyFile;
    private final String keyPassword;
    private final Path keyStore;
    private final String keyStorePassword;
    private final String keyStoreType;
    private final Path caFile;
    private final ClientAuth clientAuth;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final Provider provider;
    private final Duration reloadInterval;
    private final Duration handshakeTimeout;
    private final Map<String, SniCertificate> sni;
    private final CertificateUsername usernameFrom;

    private TlsSettings(Builder b) {
        this.source = b.source;
        this.certificateFile = b.certificateFile;
        this.keyFile = b.keyFile;
        this.keyPassword = b.keyPassword;
        this.keyStore = b.keyStore;
        this.keyStorePassword = b.keyStorePassword;
        this.keyStoreType = b.keyStoreType;
        this.caFile = b.caFile;
        this.clientAuth = b.clientAuth;
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.provider = b.provider;
        this.reloadInterval = b.reloadInterval;
        this.handshakeTimeout = b.handshakeTimeout;
        this.sni = Collections.unmodifiableMap(new LinkedHashMap<>(b.sni));
        this.usernameFrom = b.usernameFrom;
    }

    /**
     * Reads the TLS keys of a listener's configuration ({@code certificateFile}, {@code keyFile},
     * {@code keyPassword}, {@code keyStore}, {@code keyStorePassword}, {@code keyStoreType}, {@code caFile},
     * {@code clientAuth}, {@code usernameFrom}, {@code protocols}, {@code cipherSuites}, {@code provider},
     * {@code reloadIntervalMillis}, {@code handshakeTimeoutMillis}, {@code sni.<host>.*}), as every TLS-speaking
     * transport reads them; other keys are left alone. Relative file names are relative to the system property
     * {@code cairn.home} (the working directory when it is unset). Since 1.1.
     *
     * @param source     the configuration file, for messages
     * @param properties the configuration's properties
     * @throws TlsConfigurationException naming the key and the problem, for a value that cannot be read or settings
     *                                    that do not fit together ({@link Builder#build()})
     */
    public static TlsSettings fromProperties(String source, Map<String, ?> properties)
            throws TlsConfigurationException {
        Builder tls = builder(source)
                .certificateFile(file(properties, "certificateFile"))
                .keyFile(file(properties, "keyFile"))
                .keyPassword(optional(properties, "keyPassword"))
                .keyStore(file(properties, "keyStore"))
                .keyStorePassword(optional(properties, "keyStorePassword"))
                .caFile(file(properties, "caFile"));
        String storeType = optional(properties, "keyStoreType");
        if (storeType != null) {
            tls.keyStoreType(storeType);
        }
        String clientAuth = optional(properties, "clientAuth");
        if (clientAuth != null) {
            try {
                tls.clientAuth(ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw TlsConfigurationException.invalidValue("clientAuth", properties.get("clientAuth"),
                        "is none of none, optional, required");
            }
        }
        String usernameFrom = optional(properties, "usernameFrom");
        if (usernameFrom != null && !usernameFrom.equalsIgnoreCase("none")) {
            try {
                tls.usernameFrom(CertificateUsername.valueOf(usernameFrom.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw TlsConfigurationException.invalidValue("usernameFrom", properties.get("usernameFrom"),
                        "is none of none, cn, san");
            }
        }
        String provider = optional(properties, "provider");
        if (provider != null) {
            try {
                tls.provider(Provider.valueOf(provider.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw TlsConfigurationException.invalidValue("provider", properties.get("provider"),
                        "is none of auto, jdk, openssl");
            }
        }
        String protocols = optional(properties, "protocols");
        if (protocols != null) {
            tls.protocols(list(protocols));
        }
        String ciphers = optional(properties, "cipherSuites");
        if (ciphers != null) {
            tls.cipherSuites(list(ciphers));
        }
        String reload = optional(properties, "reloadIntervalMillis");
        if (reload != null) {
            tls.reloadInterval(Duration.ofMillis(number(properties, "reloadIntervalMillis", reload)));
        }
        String handshake = optional(properties, "handshakeTimeoutMillis");
        if (handshake != null) {
            tls.handshakeTimeout(Duration.ofMillis(number(properties, "handshakeTimeoutMillis", handshake)));
        }
        Map<String, String[]> hosts = new TreeMap<>();
        for (String key : properties.keySet()) {
            if (!key.startsWith("sni.")) {
                continue;
            }
            int dot = key.lastIndexOf('.');
            String host = dot > 4 ? key.substring(4, dot) : "";
            int field = List.of("certificateFile", "keyFile", "keyPassword").indexOf(key.substring(dot + 1));
            if (host.isEmpty() || field < 0) {
                throw TlsConfigurationException.invalidValue(key, properties.get(key),
                        "is not sni.<host>.certificateFile, sni.<host>.keyFile or sni.<host>.keyPassword");
            }
            hosts.computeIfAbsent(host, h -> new String[3])[field] = key;
        }
        for (Map.Entry<String, String[]> e : hosts.entrySet()) {
            String[] keys = e.getValue();
            if (keys[0] == null || keys[1] == null) {
                String missing = "sni." + e.getKey() + (keys[0] == null ? ".certificateFile" : ".keyFile");
                throw new TlsConfigurationException(missing, null, "is missing");
            }
            tls.sni(e.getKey(), new SniCertificate(file(properties, keys[0]), file(properties, keys[1]),
                    keys[2] == null ? null : optional(properties, keys[2])));
        }
        return tls.build();
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String optional(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString().strip();
    }

    private static long number(Map<String, ?> properties, String key, String value)
            throws TlsConfigurationException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw TlsConfigurationException.invalidValue(key, properties.get(key), "is not a number");
        }
    }

    /** A file key's value, relative to {@code cairn.home} (the working directory when unset). */
    private static Path file(Map<String, ?> properties, String key) {
        String value = optional(properties, key);
        if (value == null) {
            return null;
        }
        String home = System.getProperty("cairn.home");
        Path base = home == null || home.isBlank() ? Path.of("") : Path.of(home);
        return base.toAbsolutePath().resolve(value).normalize();
    }

    /**
     * Starts settings whose errors are reported as coming from {@code source}: the configuration file, or any
     * words an embedded user chooses.
     */
    public static Builder builder(String source) {
        return new Builder(source);
    }

    /**
     * Which name of a verified client certificate replaces the CONNECT's user name, or {@code null} for none (the
     * client's own user name counts). Since 1.1.
     */
    public CertificateUsername usernameFrom() {
        return usernameFrom;
    }

    /** Where these settings came from, for log lines: a configuration file, usually. */
    public String source() {
        return source;
    }

    /** The PEM certificate chain (leaf first), or {@code null} when a key store is used. */
    public Path certificateFile() {
        return certificateFile;
    }

    /** The PEM private key (PKCS#8, encrypted or not), or {@code null} when a key store is used. */
    public Path keyFile() {
        return keyFile;
    }

    /** The password of an encrypted {@link #keyFile()}, or {@code null}. */
    public String keyPassword() {
        return keyPassword;
    }

    /** The PKCS#12 or JKS key store holding the key and its chain, or {@code null} when PEM files are used. */
    public Path keyStore() {
        return keyStore;
    }

    /** The password of {@link #keyStore()} and of its key entry, or {@code null}. */
    public String keyStorePassword() {
        return keyStorePassword;
    }

    /** The key store type, {@code PKCS12} or {@code JKS}. */
    public String keyStoreType() {
        return keyStoreType;
    }

    /** The PEM bundle of CAs client certificates are checked against, or {@code null}. */
    public Path caFile() {
        return caFile;
    }

    /** Whether clients must present a certificate. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The protocol versions offered, a non-empty subset of {@link #ALLOWED_PROTOCOLS}. */
    public List<String> protocols() {
        return protocols;
    }

    /** The cipher suites offered (those the provider supports). */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** Which TLS implementation to use. */
    public Provider provider() {
        return provider;
    }

    /** How often the files are checked for changes; zero for never. */
    public Duration reloadInterval() {
        return reloadInterval;
    }

    /** How long a client has to complete the handshake. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * The extra certificates by SNI host name, in configuration order: {@code broker.example.com}, or a wildcard
     * {@code *.example.com} for one level of subdomains. Clients that send another name, or none, get the main
     * certificate.
     */
    public Map<String, SniCertificate> sni() {
        return sni;
    }

    /** The files whose change makes the listener load its context again. */
    public List<Path> watchedFiles() {
        List<Path> files = new ArrayList<>();
        for (Path p : new Path[] {certificateFile, keyFile, keyStore, caFile}) {
            if (p != null) {
                files.add(p);
            }
        }
        for (SniCertificate c : sni.values()) {
            files.add(c.certificateFile());
            files.add(c.keyFile());
        }
        return List.copyOf(files);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings t && source.equals(t.source)
                && Objects.equals(certificateFile, t.certificateFile) && Objects.equals(keyFile, t.keyFile)
                && Objects.equals(keyPassword, t.keyPassword) && Objects.equals(keyStore, t.keyStore)
                && Objects.equals(keyStorePassword, t.keyStorePassword) && keyStoreType.equals(t.keyStoreType)
                && Objects.equals(caFile, t.caFile) && clientAuth == t.clientAuth && protocols.equals(t.protocols)
                && cipherSuites.equals(t.cipherSuites) && provider == t.provider
                && reloadInterval.equals(t.reloadInterval) && handshakeTimeout.equals(t.handshakeTimeout)
                && sni.equals(t.sni) && usernameFrom == t.usernameFrom;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, certificateFile, keyFile, keyStore, caFile, clientAuth, protocols, cipherSuites,
                provider);
    }

    @Override
    public String toString() { // no passwords
        return "TlsSettings[" + (keyStore != null ? "keyStore=" + keyStore
                : "certificateFile=" + certificateFile + ", keyFile=" + keyFile)
                + ", caFile=" + caFile + ", clientAuth=" + clientAuth + ", protocols=" + protocols
                + ", provider=" + provider + (sni.isEmpty() ? "" : ", sni=" + sni.keySet())
                + (usernameFrom == null ? "" : ", usernameFrom=" + usernameFrom) + ']';
    }

    /** Builds {@link TlsSettings}; {@link #build()} checks that the settings fit together. */
    public static final class Builder {
        private final String source;
        private Path certificateFile;
        private Path keyFile;
        private String keyPassword;
        private Path keyStore;
        private String keyStorePassword;
        private String keyStoreType = "PKCS12";
        private Path caFile;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> cipherSuites = DEFAULT_CIPHER_SUITES;
        private Provider provider = Provider.AUTO;
        private Duration reloadInterval = Duration.ofSeconds(1);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private final Map<String, SniCertificate> sni = new LinkedHashMap<>();
        private CertificateUsername usernameFrom;

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /** The PEM certificate chain, leaf first; goes with {@link #keyFile}. */
        public Builder certificateFile(Path value) {
            certificateFile = value;
            return this;
        }

        /** The PEM private key; goes with {@link #certificateFile}. */
        public Builder keyFile(Path value) {
            keyFile = value;
            return this;
        }

        /** The password of an encrypted key file. */
        public Builder keyPassword(String value) {
            keyPassword = value;
            return this;
        }

        /** A PKCS#12 or JKS key store instead of PEM files; its first key entry is used. */
        public Builder keyStore(Path value) {
            keyStore = value;
            return this;
        }

        /** The key store's password, also used for its key entry. */
        public Builder keyStorePassword(String value) {
            keyStorePassword = value;
            return this;
        }

        /** {@code PKCS12} (the default) or {@code JKS}. */
        public Builder keyStoreType(String value) {
            keyStoreType = Objects.requireNonNull(value, "keyStoreType");
            return this;
        }

        /** The CA bundle client certificates are checked against. */
        public Builder caFile(Path value) {
            caFile = value;
            return this;
        }

        /** Whether clients must present a certificate; anything but NONE needs {@link #caFile}. */
        public Builder clientAuth(ClientAuth value) {
            clientAuth = Objects.requireNonNull(value, "clientAuth");
            return this;
        }

        /**
         * Which name of a verified client certificate replaces the CONNECT's user name; {@code null} (the default)
         * for none. Since 1.1.
         */
        public Builder usernameFrom(CertificateUsername value) {
            usernameFrom = value;
            return this;
        }

        /** The protocol versions to offer: TLSv1.3, TLSv1.2 or both. */
        public Builder protocols(List<String> value) {
            protocols = List.copyOf(value);
            return this;
        }

        /** The cipher suites to offer, in JDK (IANA) names; empty for {@link #DEFAULT_CIPHER_SUITES}. */
        public Builder cipherSuites(List<String> value) {
            cipherSuites = value.isEmpty() ? DEFAULT_CIPHER_SUITES : List.copyOf(value);
            return this;
        }

        /** Which TLS implementation to use. */
        public Builder provider(Provider value) {
            provider = Objects.requireNonNull(value, "provider");
            return this;
        }

        /** How often to check the files for changes; zero for never. */
        public Builder reloadInterval(Duration value) {
            reloadInterval = Objects.requireNonNull(value, "reloadInterval");
            return this;
        }

        /** How long a client has to complete the handshake. */
        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = Objects.requireNonNull(value, "handshakeTimeout");
            return this;
        }

        /**
         * Shows {@code certificate} to clients that ask for {@code host} by SNI; {@code host} is a DNS name or
         * {@code *.} followed by one (matching one level of subdomains), compared without regard to case.
         */
        public Builder sni(String host, SniCertificate certificate) {
            sni.put(host.strip().toLowerCase(Locale.ROOT), Objects.requireNonNull(certificate, "certificate"));
            return this;
        }

        /**
         * Checks that the settings fit together (the files themselves are read when a listener loads them).
         *
         * @throws TlsConfigurationException naming the key, when neither or both of PEM files and key store are
         *                                    given, one PEM file lacks its partner, a protocol is not TLS 1.2 or
         *                                    1.3, or client certificates are asked for without a CA bundle
         */
        public TlsSettings build() throws TlsConfigurationException {
            if (keyStore != null && (certificateFile != null || keyFile != null)) {
                throw new TlsConfigurationException("keyStore", keyStore,
                        "give either keyStore or certificateFile and keyFile, not both");
            }
            if (keyStore == null) {
                if (certificateFile == null && keyFile == null) {
                    throw new TlsConfigurationException("certificateFile", null,
                            "missing: a TLS listener needs certificateFile and keyFile, or keyStore");
                }
                if (certificateFile == null) {
                    throw new TlsConfigurationException("certificateFile", null, "missing: keyFile needs it");
                }
                if (keyFile == null) {
                    throw new TlsConfigurationException("keyFile", null, "missing: certificateFile needs it");
                }
            }
            if (protocols.isEmpty()) {
                throw new TlsConfigurationException("protocols", null, "must name TLSv1.3, TLSv1.2 or both");
            }
            for (String p : protocols) {
                if (!ALLOWED_PROTOCOLS.contains(p)) {
                    throw new TlsConfigurationException("protocols", null, "'" + p
                            + "' is not allowed; only TLSv1.3 and TLSv1.2 are");
                }
            }
            String type = keyStoreType.toUpperCase(Locale.ROOT);
            if (!type.equals("PKCS12") && !type.equals("JKS")) {
                throw new TlsConfigurationException("keyStoreType", null, "'" + keyStoreType
                        + "' is neither PKCS12 nor JKS");
            }
            keyStoreType = type;
            if (clientAuth != ClientAuth.NONE && caFile == null) {
                throw new TlsConfigurationException("caFile", null, "missing: clientAuth = "
                        + clientAuth.name().toLowerCase(Locale.ROOT) + " needs the CA bundle client certificates "
                        + "are checked against");
            }
            for (String host : sni.keySet()) {
                String name = host.startsWith("*.") ? host.substring(2) : host;
                if (name.isEmpty() || name.contains("*") || !name.matches("[a-z0-9.-]+") || name.startsWith(".")
                        || name.endsWith(".")) {
                    throw new TlsConfigurationException("sni." + host, null,
                            "is not a host name (broker.example.com) or a wildcard (*.example.com)");
                }
            }
            if (reloadInterval.isNegative()) {
                throw new TlsConfigurationException("reloadIntervalMillis", null, "must not be negative");
            }
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new TlsConfigurationException("handshakeTimeoutMillis", null, "must be positive");
            }
            return new TlsSettings(this);
        }
    }
}
