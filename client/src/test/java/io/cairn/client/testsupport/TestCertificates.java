package io.cairn.client.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (none is checked in): a CA issues server certificates for {@code localhost} and
 * {@code 127.0.0.1} and client certificates, on P-256 keys (cheap on a busy machine), written as PEM files.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffff_ffffL);

    private TestCertificates() {
    }

    /** A key pair with its certificate, issued by {@code issuer} ({@code null} for a self-signed CA). */
    public record Issued(KeyPair keys, X509Certificate certificate, Issued issuer) {

        /** A server certificate for the DNS name localhost and the IP address 127.0.0.1. */
        public Issued server(String cn) {
            return issue(this, cn, true);
        }

        /** A client certificate (extended key usage clientAuth). */
        public Issued client(String cn) {
            return issue(this, cn, false);
        }

        /** The certificate chain up to, without, the root: PEM in {@code file}. */
        public Path writeChain(Path file) {
            List<Object> chain = new ArrayList<>();
            for (Issued i = this; i != null && i.issuer != null; i = i.issuer) {
                chain.add(i.certificate);
            }
            return writePem(file, chain.toArray());
        }

        /** This certificate alone (a CA to trust): PEM in {@code file}. */
        public Path writeCertificate(Path file) {
            return writePem(file, certificate);
        }

        /** The private key as unencrypted PKCS#8 PEM in {@code file}. */
        public Path writeKey(Path file) {
            try {
                return writePem(file, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The private key as PKCS#8 PEM encrypted with {@code password} (PBES2, AES-256-CBC) in {@code file}; Bouncy
         * Castle's provider (not installed) encrypts, the JDK lacks its PKCS7Padding.
         */
        public Path writeEncryptedKey(Path file, String password) {
            try {
                return writePem(file, new JcaPKCS8Generator(keys.getPrivate(),
                        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                                .setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray())
                                .build()).generate());
            } catch (IOException | OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A self-signed CA named {@code cn}, valid from an hour ago for a day. */
    public static Issued ca(String cn) {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + cn);
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), from(), to(), name,
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Issued(keys, sign(b, keys), null);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Issued issue(Issued ca, String cn, boolean server) {
        KeyPair keys = keyPair();
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(), from(), to(),
                    new X500Name("CN=" + cn), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            if (server) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            return new Issued(keys, sign(b, ca.keys()), ca);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Date from() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date to() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
            throws GeneralSecurityException, OperatorCreationException {
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
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                pem.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Files.writeString(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
