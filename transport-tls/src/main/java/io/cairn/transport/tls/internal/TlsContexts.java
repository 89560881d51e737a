package io.cairn.transport.tls.internal;

import io.cairn.transport.tls.TlsConfigurationException;
import io.cairn.transport.tls.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import java.util.Map;

/**
 * Reads and checks the files of {@link TlsSettings} and builds a server {@link SslContext} from them. Every failure
 * is a {@link TlsConfigurationException} naming the key, the file and the problem, so one log line tells an
 * operator what to fix. Netty's builder accepts an expired certificate and, with the JDK provider, a key that
 * does not belong to the certificate; both are checked here first.
 */
public final class TlsContexts {

    /**
     * A built context and what it was built from.
     *
     * @param context     the main context
     * @param certificate the main certificate (leaf)
     * @param provider    the TLS implementation
     * @param sni         the contexts by SNI host name, the main one for any other; {@code null} without SNI
     */
    public record Loaded(SslContext context, X509Certificate certificate, SslProvider provider,
                         Mapping<String, SslContext> sni) {
    }

    /** A private key and its chain, checked against each other. */
    private record KeyMaterial(PrivateKey key, X509Certificate[] chain, String chainKey, Path chainFile) {
    }

    private TlsContexts() {
    }

    /** The provider {@code wanted} stands for on this machine now. */
    public static SslProvider provider(TlsSettings.Provider wanted) throws TlsConfigurationException {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    Throwable why = OpenSsl.unavailabilityCause();
                    throw new TlsConfigurationException("provider", null, "openssl is not available here ("
                            + (why == null ? "unknown cause" : why.getMessage()) + ")", why);
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /**
     * Reads the key, the chain and the CA bundle that {@code settings} name, checks them and builds a context.
     *
     * @throws TlsConfigurationException if a file is missing or unreadable, holds nothing usable, the certificate
     *                                    is expired or not yet valid, the key does not match it, or the provider
     *                                    supports none of the protocols or cipher suites
     */
    public static Loaded load(TlsSettings settings) throws TlsConfigurationException {
        SslProvider provider = provider(settings.provider());
        KeyMaterial main = settings.keyStore() != null ? fromKeyStore(settings)
                : fromPem("", settings.certificateFile(), settings.keyFile(), settings.keyPassword());
        X509Certificate[] authorities = null;
        if (settings.caFile() != null) {
            readable("caFile", settings.caFile());
            authorities = certificates("caFile", settings.caFile());
        }
        SslContext context = build(settings, provider, main, authorities);
        Mapping<String, SslContext> mapping = null;
        if (!settings.sni().isEmpty()) {
            DomainWildcardMappingBuilder<SslContext> hosts = new DomainWildcardMappingBuilder<>(context);
            for (Map.Entry<String, TlsSettings.SniCertificate> e : settings.sni().entrySet()) {
                TlsSettings.SniCertificate c = e.getValue();
                KeyMaterial extra = fromPem("sni." + e.getKey() + '.', c.certificateFile(), c.keyFile(),
                        c.keyPassword());
                hosts.add(e.getKey(), build(settings, provider, extra, authorities));
            }
            mapping = hosts.build();
        }
        return new Loaded(context, main.chain()[0], provider, mapping);
    }

    private static KeyMaterial fromKeyStore(TlsSettings settings) throws TlsConfigurationException {
        Path chainFile = settings.keyStore();
        KeyStore store = keyStore(settings);
        char[] password = password(settings.keyStorePassword());
        PrivateKey key;
        X509Certificate[] chain;
        try {
            String alias = Collections.list(store.aliases()).stream().filter(a -> isKeyEntry(store, a))
                    .findFirst().orElseThrow(() -> new TlsConfigurationException("keyStore", chainFile,
                            "holds no private key entry"));
            key = (PrivateKey) store.getKey(alias, password);
            Certificate[] certificates = store.getCertificateChain(alias);
            chain = Arrays.stream(certificates).map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (UnrecoverableKeyException e) {
            throw new TlsConfigurationException("keyStorePassword", null,
                    "does not open the key entry in " + chainFile, e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new TlsConfigurationException("keyStore", chainFile, "cannot be used: " + reason(e), e);
        }
        return checked(new KeyMaterial(key, chain, "keyStore", chainFile), "keyStore", chainFile);
    }

    /** Reads a PEM chain and key; {@code prefix} goes before the key names in errors ({@code sni.<host>.}). */
    private static KeyMaterial fromPem(String prefix, Path certificateFile, Path keyFile, String keyPassword)
            throws TlsConfigurationException {
        String chainKey = prefix + "certificateFile";
        String keyKey = prefix + "keyFile";
        readable(chainKey, certificateFile);
        readable(keyKey, keyFile);
        X509Certificate[] chain = certificates(chainKey, certificateFile);
        PrivateKey key;
        try {
            key = jdkKey(PemFiles.privateKey(keyFile.toFile(), keyPassword));
        } catch (Exception e) {
            throw new TlsConfigurationException(keyKey, keyFile, "holds no private key that can be read"
                    + (keyPassword == null ? " (an encrypted key needs " + prefix + "keyPassword)"
                    : " with " + prefix + "keyPassword") + ": " + reason(e), e);
        }
        return checked(new KeyMaterial(key, chain, chainKey, certificateFile), keyKey, keyFile);
    }

    /** Checks the leaf's validity period and that the key belongs to it. */
    private static KeyMaterial checked(KeyMaterial m, String keyKey, Path keyFile) throws TlsConfigurationException {
        X509Certificate leaf = m.chain()[0];
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new TlsConfigurationException(m.chainKey(), m.chainFile(), "certificate "
                    + leaf.getSubjectX500Principal() + " expired on " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new TlsConfigurationException(m.chainKey(), m.chainFile(), "certificate "
                    + leaf.getSubjectX500Principal() + " is not valid before " + leaf.getNotBefore().toInstant());
        }
        if (!matches(m.key(), leaf.getPublicKey())) {
            throw new TlsConfigurationException(keyKey, keyFile, "the private key does not match the certificate "
                    + leaf.getSubjectX500Principal() + " in " + m.chainFile());
        }
        return m;
    }

    private static SslContext build(TlsSettings settings, SslProvider provider, KeyMaterial m,
                                    X509Certificate[] authorities) throws TlsConfigurationException {
        // OpenSSL: a key manager whose key material is converted for BoringSSL once, not at every handshake (Netty
        // converts the key and chain again per handshake otherwise: a full TLS 1.3 handshake took 2.4 ms of broker
        // CPU with it, see docs/transports.md)
        SslContextBuilder builder = (provider == SslProvider.JDK ? SslContextBuilder.forServer(m.key(), m.chain())
                : SslContextBuilder.forServer(cachingKeyManagers(m)))
                .sslProvider(provider)
                .protocols(settings.protocols())
                .ciphers(settings.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(switch (settings.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (authorities != null) {
            builder.trustManager(authorities);
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigurationException(m.chainKey(), m.chainFile(), "cannot be used with the " + provider
                    + " provider: " + reason(e), e);
        }
        if (context.cipherSuites().isEmpty()) {
            throw new TlsConfigurationException("cipherSuites", null, "the " + provider
                    + " provider supports none of " + settings.cipherSuites());
        }
        return context;
    }

    /** A key manager factory over {@code m} that keeps the key material OpenSSL made from it. */
    private static KeyManagerFactory cachingKeyManagers(KeyMaterial m) throws TlsConfigurationException {
        char[] password = "in-memory".toCharArray(); // protects nothing: the store never leaves this method
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("cairn", m.key(), password, m.chain());
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return new OpenSslCachingX509KeyManagerFactory(factory);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigurationException(m.chainKey(), m.chainFile(), "cannot be used with the OPENSSL "
                    + "provider: " + reason(e), e);
        }
    }

    private static KeyStore keyStore(TlsSettings settings) throws TlsConfigurationException {
        Path file = settings.keyStore();
        readable("keyStore", file);
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(settings.keyStoreType());
            store.load(in, password(settings.keyStorePassword()));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsConfigurationException("keyStore", file, "cannot be read as " + settings.keyStoreType()
                    + " with keyStorePassword: " + reason(e), e);
        }
    }

    private static boolean isKeyEntry(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static char[] password(String password) {
        return password == null ? new char[0] : password.toCharArray();
    }

    private static void readable(String key, Path file) throws TlsConfigurationException {
        if (!Files.exists(file)) {
            throw new TlsConfigurationException(key, file, "file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new TlsConfigurationException(key, file, "is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new TlsConfigurationException(key, file, "file is not readable by the broker");
        }
    }

    private static X509Certificate[] certificates(String key, Path file) throws TlsConfigurationException {
        X509Certificate[] certificates;
        try {
            certificates = PemFiles.certificates(file.toFile());
        } catch (Exception e) {
            throw new TlsConfigurationException(key, file, "holds no PEM certificate that can be read: " + reason(e),
                    e);
        }
        if (certificates == null || certificates.length == 0) {
            throw new TlsConfigurationException(key, file, "holds no PEM certificate");
        }
        return certificates;
    }

    /** Whether {@code key} is the private half of {@code publicKey}: it signs, the public key verifies. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        // the same key type has different names by provider: Bouncy Castle (which Netty uses for PEM when it is
        // present) calls an EC key "ECDSA", the JDK "EC"
        String type = family(key.getAlgorithm());
        if (!type.equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        String algorithm = switch (type) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return true; // an algorithm we cannot probe: let the handshake tell
        }
        try {
            byte[] probe = "cairn key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The same key as a JDK key object. When Bouncy Castle is visible to netty-handler, Netty's PEM reader returns
     * Bouncy Castle keys, whose EC keys call themselves "ECDSA", and the JDK's SunEC refuses them ("Not an EC
     * key: ECDSA"); re-encoding through the JDK's KeyFactory avoids that.
     */
    private static PrivateKey jdkKey(PrivateKey key) throws GeneralSecurityException {
        if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
            return key;
        }
        return KeyFactory.getInstance(family(key.getAlgorithm()))
                .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    private static String family(String algorithm) {
        return algorithm.equals("ECDSA") ? "EC" : algorithm;
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
