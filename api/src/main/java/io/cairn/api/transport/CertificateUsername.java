package io.cairn.api.transport;

import io.netty.util.AttributeKey;

/**
 * Which name of a client's verified TLS certificate becomes its MQTT user name, in place of the one in CONNECT:
 * what authenticators see in {@link io.cairn.api.auth.ConnectRequest#username()} and authorizers in the client's
 * identity. A TLS-speaking transport sets it on each connection's channel ({@link #ATTRIBUTE}) when its listener is
 * configured so; the kernel applies it at CONNECT. A client without a certificate keeps the user name it sent; one
 * whose certificate has no such name is refused as not authorized. Since 1.2.
 */
public enum CertificateUsername {

    /** The subject's common name (CN); of several, the most specific (the first in the subject's RFC 2253 form). */
    CN,

    /** The first subject alternative name: a DNS name, else an e-mail address (rfc822Name), else a URI. */
    SAN;

    /** The channel attribute a transport sets to ask the kernel for this. */
    public static final AttributeKey<CertificateUsername> ATTRIBUTE =
            AttributeKey.valueOf("io.cairn.api.transport.CertificateUsername");
}
