package io.cairn.transport.tls.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one TLS listener: one {@code etc/io.cairn.transport.tls-<name>.cfg} file. File paths are
 * relative to {@code cairn.home}.
 *
 * <p>Besides these keys, SNI certificates are given per host name as {@code sni.<host>.certificateFile},
 * {@code sni.<host>.keyFile} and optionally {@code sni.<host>.keyPassword}, with {@code <host>} a DNS name or a
 * wildcard such as {@code *.example.com}; metatype cannot describe keys with a variable part.
 */
@ObjectClassDefinition(name = "Cairn TLS listener",
        description = "An MQTT over TLS (mqtts) listener; one configuration per listener.")
public @interface TlsTransportConfiguration {

    /** The listener's name, unique in the broker; when absent, the name of the configuration file is used. */
    @AttributeDefinition(name = "Name", required = false,
            description = "Listener name, unique in the broker (default: the <name> of the configuration file).")
    String name();

    /** The host name or address literal to bind. */
    @AttributeDefinition(name = "Host", description = "Address to bind, 127.0.0.1 for local clients only, "
            + "0.0.0.0 for every IPv4 interface.")
    String host() default "127.0.0.1";

    /** The TCP port, 0 for any free port. */
    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port, 0 for any free port.")
    int port() default 8883;

    /** The length of the queue of connections not yet accepted. */
    @AttributeDefinition(name = "Backlog", min = "1", description = "Accept queue length (SO_BACKLOG).")
    int backlog() default 1024;

    /** Whether clients may connect without an authenticator accepting them. */
    @AttributeDefinition(name = "Allow anonymous", description = "Let clients in without an authenticator "
            + "accepting them: with no authenticator, every client; with some, clients that send no user name.")
    boolean allowAnonymous() default false;

    /** Which authenticators the listener uses. */
    @AttributeDefinition(name = "Authenticators", required = false, description = "Empty for all; a list of "
            + "provider names (file, jdbc); or an LDAP filter over their service properties, such as (name=jdbc).")
    String authenticators() default "";

    /** Which authorizers the listener uses. */
    @AttributeDefinition(name = "Authorizers", required = false, description = "Empty for all; a list of "
            + "provider names; or an LDAP filter over their service properties.")
    String authorizers() default "";

    /** The PEM certificate chain, leaf first. */
    @AttributeDefinition(name = "Certificate file", required = false,
            description = "PEM certificate chain, leaf first (with keyFile; or use keyStore).")
    String certificateFile();

    /** The PEM private key. */
    @AttributeDefinition(name = "Key file", required = false, description = "PEM private key (PKCS#8).")
    String keyFile();

    /** The password of an encrypted key file. */
    @AttributeDefinition(name = "Key password", required = false, type = org.osgi.service.metatype.annotations
            .AttributeType.PASSWORD, description = "Password of an encrypted key file.")
    String keyPassword();

    /** A PKCS#12 or JKS key store instead of the PEM files. */
    @AttributeDefinition(name = "Key store", required = false,
            description = "PKCS#12 or JKS key store with the key and its chain (instead of the PEM files).")
    String keyStore();

    /** The key store's password. */
    @AttributeDefinition(name = "Key store password", required = false, type = org.osgi.service.metatype
            .annotations.AttributeType.PASSWORD, description = "Password of the key store and its key entry.")
    String keyStorePassword();

    /** PKCS12 or JKS. */
    @AttributeDefinition(name = "Key store type", description = "PKCS12 or JKS.")
    String keyStoreType() default "PKCS12";

    /** The CA bundle client certificates are checked against. */
    @AttributeDefinition(name = "CA file", required = false,
            description = "PEM bundle of the CAs client certificates are checked against.")
    String caFile();

    /** none, optional or required. */
    @AttributeDefinition(name = "Client certificates", description = "none, optional or required.")
    String clientAuth() default "none";

    /** Comma-separated protocol versions. */
    @AttributeDefinition(name = "Protocols", description = "TLSv1.3, TLSv1.2 or both (comma-separated).")
    String protocols() default "TLSv1.3,TLSv1.2";

    /** Comma-separated cipher suites; empty for the strong default. */
    @AttributeDefinition(name = "Cipher suites", required = false, description = "Comma-separated IANA names; "
            + "empty for the TLS 1.3 suites and ECDHE with AES-GCM or ChaCha20-Poly1305.")
    String cipherSuites() default "";

    /** auto, jdk or openssl. */
    @AttributeDefinition(name = "Provider", description = "auto (OpenSSL when it loads, else JDK), jdk or openssl.")
    String provider() default "auto";

    /** How often the files are checked for changes, 0 for never. */
    @AttributeDefinition(name = "Reload interval (ms)", min = "0",
            description = "How often the key and certificate files are checked for changes; 0: never.")
    long reloadIntervalMillis() default 1000;

    /** How long a client has to complete the handshake. */
    @AttributeDefinition(name = "Handshake timeout (ms)", min = "1", description = "Handshake time limit.")
    long handshakeTimeoutMillis() default 10000;

    /** Which name of a verified client certificate replaces the CONNECT's user name. */
    @AttributeDefinition(name = "User name from certificate", required = false, description = "none (default):"
            + " the client's own user name; cn: the client certificate's common name; san: its first subject"
            + " alternative name (DNS name, else e-mail, else URI). A client without a certificate keeps its own.")
    String usernameFrom();

    /** How long the socket waits for the next version of this bundle when the bundle stops (an update). */
    @AttributeDefinition(name = "Handover wait (ms)", min = "1", description = "When the transport bundle stops, as"
            + " it does when it is updated, the socket stays open this long for the next version to take over;"
            + " connection attempts wait meanwhile instead of being refused.")
    long handoverMillis() default 30_000;

    /** Over how long open connections are closed once the next version serves; 0 keeps them. */
    @AttributeDefinition(name = "Drain (ms)", min = "0", description = "0: connections stay open across a transport"
            + " update. More: once the new version serves, the open connections are closed (MQTT 5: reason 0x8B),"
            + " spread over this many milliseconds, and reconnect through the new version.")
    long drainMillis() default 0;
}
