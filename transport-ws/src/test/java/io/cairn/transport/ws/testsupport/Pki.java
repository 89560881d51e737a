package io.cairn.transport.ws.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * (Copied from transport-tls's tests.) Test certificates made at test time (never checked in): a CA issues server and client certificates on P-256
 * keys (cheap to generate on a busy 2-core machine), written as PEM files or a PKCS#12 key store.
 */
public final class Pki {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

    private Pki() {
    }

    /** A key pair and its certificate (issued by {@link #issuer}, or self-signed for a CA). */
    public record Issued(KeyPair keys, X509Certificate certificate, Issued issuer) {

        /** The serial number. */
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** Issues a server certificate for localhost and 127.0.0.1, valid for a day. */
        public Issued server(String cn) {
            return issue(this, cn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)),
                    true);
        }

        /** Issues a client certificate, valid for a day. */
        public Issued client(String cn) {
            return issue(this, cn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)),
                    false);
        }

        /** Issues a certificate that expired yesterday. */
        public Issued expired(String cn, boolean server) {
            return issue(this, cn, Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)),
                    server);
        }

        /** Writes the certificate chain (leaf, then issuers below the root) as PEM to {@code file}, atomically. */
        public Path writeChain(Path file) {
            List<Object> chain = new ArrayList<>();
            chain.add(certificate);
            for (Issued i = issuer; i != null && i.issuer != null; i = i.issuer) {
                chain.add(i.certificate);
            }
            return writePem(file, chain.toArray());
        }

        /** Writes the private key as unencrypted PKCS#8 PEM to {@code file}, atomically. */
        public Path writeKey(Path file) {
            try {
                return writePem(file, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes this certificate alone as PEM (for a CA bundle), atomically. */
        public Path writeCertificate(Path file) {
            return writePem(file, certificate);
        }

        /** A PKCS#12 key store with the key and chain under alias {@code key}. */
        public Path writePkcs12(Path file, String password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", keys.getPrivate(), password.toCharArray(), chain());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    store.store(out, password.toCharArray());
                }
                return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Key managers presenting this certificate, for a client with a certificate. */
        public KeyManagerFactory keyManagers() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", keys.getPrivate(), new char[0], chain());
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, new char[0]);
                return kmf;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Trust managers trusting this (CA) certificate only. */
        public TrustManagerFactory trustManagers() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", certificate);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                return tmf;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private X509Certificate[] chain() {
            List<X509Certificate> chain = new ArrayList<>();
            for (Issued i = this; i != null; i = i.issuer) {
                chain.add(i.certificate);
            }
            return chain.toArray(X509Certificate[]::new);
        }
    }

    /** A self-signed CA valid for a day. */
    public static Issued ca(String cn) {
        KeyPair keys = keyPair();
        try {
            X500Name name = new X500Name("CN=" + cn);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(1))),
                    name, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Issued(keys, sign(b, keys), null);
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Issued issue(Issued ca, String cn, Instant from, Instant to, boolean server) {
        KeyPair keys = keyPair();
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate, serial(), Date.from(from),
                    Date.from(to), new X500Name("CN=" + cn), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            if (server) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())}));
            } else {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.rfc822Name, cn + "@devices.example")));
            }
            return new Issued(keys, sign(b, ca.keys), ca);
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writePem(Path file, Object... objects) {
        try {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
                for (Object o : objects) {
                    pem.writeObject(o);
                }
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString());
            return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
