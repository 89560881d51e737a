package io.cairn.transport.tls.internal;

import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Netty's PEM reading, which {@link SslContext} keeps as protected static helpers; reached through this never
 * instantiated subclass so that certificates and keys are parsed by Netty, not by code of our own, and can be
 * checked (expiry, key match) before a context is built from them.
 */
abstract class PemFiles extends SslContext {

    private PemFiles() {
    }

    /** The certificates in a PEM file, in file order. */
    static X509Certificate[] certificates(File file) throws Exception {
        return toX509Certificates(file);
    }

    /** The private key in a PEM file (PKCS#8; encrypted when {@code password} is not null). */
    static PrivateKey privateKey(File file, String password) throws Exception {
        return toPrivateKey(file, password);
    }
}
