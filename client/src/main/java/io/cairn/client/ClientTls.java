package io.cairn.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * How a client speaks TLS to the server: the CAs it trusts, its own certificate for mutual TLS, the server name
 * it sends (SNI) and verifies, and the protocol versions. Immutable and thread-safe; one value may serve many
 * clients. {@link Builder#build()} reads and checks the files at once, so a client never starts with a broken
 * configuration.
 *
 * <pre>{@code
 * ClientTls tls = ClientTls.builder()
 *         .trustPem(Path.of("/etc/cairn/ca.pem"))
 *         .keyPair(Path.of("/etc/cairn/bridge.pem"), Path.of("/etc/cairn/bridge.key"))
 *         .build();
 * MqttClient client = MqttClient.builder().host("broker.example").port(8883).tls(tls).build();
 * }</pre>
 *
 * @since 1.2.0
 */
public final class ClientTls {

    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

    private final SslContext context;
    private final String serverName;
    private final boolean hostnameVerification;
    private final List<String> protocols;
    private final Path caFile;
    private final Path certificateFile;

    private ClientTls(Builder b, SslContext context) {
        this.context = context;
        this.serverName = b.serverName;
        this.hostnameVerification = b.hostnameVerification;
        this.protocols = b.protocols;
        this.caFile = b.caFile;
        this.certificateFile = b.certificateFile;
    }

    /** A builder with the defaults: the JDK's trust store, no client certificate, TLS 1.3 and 1.2. */
    public static Builder builder() {
        return new Builder();
    }

    /** The host name sent as SNI and verified; empty when the client's host is used. */
    Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** Whether the server's certificate must match the server name (HTTPS-style endpoint identification). */
    boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** The TLS protocol versions offered, most preferred first. */
    List<String> protocols() {
        return protocols;
    }

    /** The Netty context, for the client's pipeline; not part of the API (no Netty types in the API). */
    SslContext context() {
        return context;
    }

    @Override
    public String toString() {
        return "ClientTls[trust=" + (caFile == null ? "JDK default" : caFile)
                + (certificateFile == null ? "" : ", certificate=" + certificateFile)
                + (serverName == null ? "" : ", serverName=" + serverName)
                + ", hostnameVerification=" + hostnameVerification + ", protocols=" + protocols + "]";
    }

    /** Collects the TLS settings. Not thread-safe. */
    public static final class Builder {
        private Path caFile;
        private Path certificateFile;
        private Path keyFile;
        private String keyPassword;
        private String serverName;
        private boolean hostnameVerification = true;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");

        private Builder() {
        }

        /**
         * Trusts the CA certificates in {@code caFile} (PEM, one or more) instead of the JDK's default trust
         * store.
         */
        public Builder trustPem(Path caFile) {
            this.caFile = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        /** The client certificate for mutual TLS: a PEM chain (leaf first) and its unencrypted PKCS#8 PEM key. */
        public Builder keyPair(Path certificateChainPem, Path privateKeyPem) {
            return keyPair(certificateChainPem, privateKeyPem, null);
        }

        /**
         * The client certificate for mutual TLS: a PEM chain (leaf first) and its PKCS#8 PEM key, encrypted with
         * {@code keyPassword} ({@code null} for an unencrypted key).
         */
        public Builder keyPair(Path certificateChainPem, Path privateKeyPem, String keyPassword) {
            this.certificateFile = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
            this.keyFile = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            this.keyPassword = keyPassword;
            return this;
        }

        /**
         * The host name sent as SNI and matched against the server's certificate; default the client builder's
         * {@link MqttClient.Builder#host(String) host}.
         */
        public Builder serverName(String sni) {
            Objects.requireNonNull(sni, "serverName");
            if (sni.isBlank()) {
                throw new IllegalArgumentException("the server name must not be blank");
            }
            this.serverName = sni;
            return this;
        }

        /**
         * Whether the server's certificate must name the server (RFC 2818 / RFC 6125 endpoint identification, as
         * HTTPS does); default true. Turning it off still checks that a trusted CA issued the certificate.
         */
        public Builder hostnameVerification(boolean value) {
            this.hostnameVerification = value;
            return this;
        }

        /**
         * The TLS protocol versions to offer; default {@code TLSv1.3} and {@code TLSv1.2}.
         *
         * @throws IllegalArgumentException if none is given or one is not a TLS protocol name
         */
        public Builder protocols(String... p) {
            List<String> list = List.of(p);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("at least one TLS protocol is needed");
            }
            for (String s : list) {
                if (!KNOWN_PROTOCOLS.contains(s)) {
                    throw new IllegalArgumentException("unknown TLS protocol '" + s + "'; known: TLSv1.3, TLSv1.2, "
                            + "TLSv1.1, TLSv1");
                }
            }
            this.protocols = list;
            return this;
        }

        /**
         * The settings, with the files read and checked now.
         *
         * @throws IllegalArgumentException if a file cannot be read or holds no usable certificate or key; the
         *                                  message names the file and the problem
         */
        public ClientTls build() {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(protocols)
                    .endpointIdentificationAlgorithm(hostnameVerification ? "HTTPS" : null);
            if (caFile != null) {
                b.trustManager(certificates("CA file", caFile));
            }
            if (certificateFile != null) {
                byte[] chain = read("certificate file", certificateFile);
                certificates("certificate file", certificateFile, chain);
                keyManager(b, chain);
            }
            try {
                return new ClientTls(this, b.build());
            } catch (SSLException | RuntimeException e) {
                throw new IllegalArgumentException("cannot set up TLS with " + describe() + ": " + e.getMessage(), e);
            }
        }

        private String describe() {
            return "CA file " + (caFile == null ? "(JDK default)" : caFile)
                    + (certificateFile == null ? ""
                    : ", certificate file " + certificateFile + ", key file " + keyFile);
        }

        private static byte[] read(String what, Path file) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(what + " " + file + ": cannot be read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }

        private static List<X509Certificate> certificates(String what, Path file) {
            return certificates(what, file, read(what, file));
        }

        private static List<X509Certificate> certificates(String what, Path file, byte[] bytes) {
            if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException(what + " " + file + ": no certificate in it (expected PEM "
                        + "'-----BEGIN CERTIFICATE-----' blocks)");
            }
            Collection<? extends Certificate> parsed;
            try {
                parsed = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            } catch (CertificateException e) {
                throw new IllegalArgumentException(what + " " + file + ": not a valid PEM certificate ("
                        + e.getMessage() + ")", e);
            }
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : parsed) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(what + " " + file + ": no certificate in it");
            }
            return out;
        }

        /** Reads the key and hands it with the chain to {@code b}; Netty parses plain and encrypted PKCS#8. */
        private void keyManager(SslContextBuilder b, byte[] chain) {
            byte[] bytes = read("key file", keyFile);
            String text = new String(bytes, StandardCharsets.US_ASCII);
            boolean encrypted = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
            if (!encrypted && !text.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalArgumentException("key file " + keyFile + ": no PKCS#8 PEM private key in it "
                        + "(expected '-----BEGIN PRIVATE KEY-----' or '-----BEGIN ENCRYPTED PRIVATE KEY-----'"
                        + (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE")
                        ? "; convert the PKCS#1/SEC1 key with 'openssl pkcs8 -topk8'" : "") + ")");
            }
            if (encrypted && keyPassword == null) {
                throw new IllegalArgumentException("key file " + keyFile + ": the key is encrypted and no key "
                        + "password was given");
            }
            try {
                b.keyManager(new ByteArrayInputStream(chain), new ByteArrayInputStream(bytes), keyPassword);
            } catch (IllegalArgumentException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new IllegalArgumentException("key file " + keyFile + ": "
                        + (encrypted ? "cannot decrypt the key with the password given, or it is not a supported "
                        + "PKCS#8 key" : "not a supported PKCS#8 key (RSA, EC or DSA)")
                        + " (" + cause.getClass().getSimpleName() + ")", e);
            }
        }
    }
}
