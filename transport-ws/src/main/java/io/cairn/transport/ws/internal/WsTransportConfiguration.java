package io.cairn.transport.ws.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one WebSocket listener: one {@code etc/io.cairn.transport.ws-<name>.cfg} file. File paths
 * are relative to {@code cairn.home}.
 *
 * <p>The port and the TLS keys have no defaults here on purpose: Declarative Services puts every default into the
 * component's properties, and the component must tell a key the file gives from one it does not (the port defaults
 * to 8083 for ws, 8084 for wss; a TLS key in a ws listener's file is an error). The TLS keys are those of the TLS
 * listener, with the same defaults; SNI certificates are given as {@code sni.<host>.certificateFile},
 * {@code sni.<host>.keyFile} and optionally {@code sni.<host>.keyPassword}.
 */
@ObjectClassDefinition(name = "Cairn WebSocket listener",
        description = "An MQTT over WebSocket (ws) or secure WebSocket (wss) listener; one configuration per listener.")
public @interface WsTransportConfiguration {

    /** The listener's name, unique in the broker; when absent, the name of the configuration file is used. */
    @AttributeDefinition(name = "Name", required = false,
            description = "Listener name, unique in the broker (default: the <name> of the configuration file).")
    String name();

    /** The host name or address literal to bind. */
    @AttributeDefinition(name = "Host", description = "Address to bind, 127.0.0.1 for local clients only, "
            + "0.0.0.0 for every IPv4 interface.")
    String host() default "127.0.0.1";

    /** The TCP port, 0 for any free port. */
    @AttributeDefinition(name = "Port", required = false, min = "0", max = "65535",
            description = "TCP port, 0 for any free port (default: 8083 for ws, 8084 for wss).")
    int port();

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

    /** The path clients upgrade on. */
    @AttributeDefinition(name = "Path", description = "URL path of the WebSocket endpoint; other paths get 404.")
    String path() default "/mqtt";

    /** Comma-separated sub-protocols. */
    @AttributeDefinition(name = "Sub-protocols", description = "WebSocket sub-protocols offered (comma-separated); "
            + "a client offering none of them gets 400.")
    String subprotocols() default "mqtt,mqttv3.1";

    /** Comma-separated origins or patterns; empty for any. */
    @AttributeDefinition(name = "Allowed origins", required = false, description = "Browser origins allowed "
            + "(comma-separated): https://app.example.com, or *.example.com; empty for any. Others get 403.")
    String allowedOrigins() default "";

    /** The largest frame payload accepted. */
    @AttributeDefinition(name = "Maximum frame size", min = "125", max = "268435456",
            description = "Largest WebSocket frame payload in bytes; a larger frame closes with status 1009.")
    int maxFrameSize() default 1048576;

    /** How long the HTTP upgrade may take. */
    @AttributeDefinition(name = "Upgrade timeout (ms)", min = "1",
            description = "Time from TCP accept to a complete WebSocket upgrade request.")
    long upgradeTimeoutMillis() default 10000;

    /** Whether the listener is wss. */
    @AttributeDefinition(name = "TLS", description = "true for wss (then certificateFile and keyFile, or keyStore, "
            + "are needed), false for ws.")
    boolean tls() default false;

    /** The PEM certificate chain, leaf first. */
    @AttributeDefinition(name = "Certificate file", required = false,
            description = "wss: PEM certificate chain, leaf first (with keyFile; or use keyStore).")
    String certificateFile();

    /** The PEM private key. */
    @AttributeDefinition(name = "Key file", required = false, description = "wss: PEM private key (PKCS#8).")
    String keyFile();

    /** The password of an encrypted key file. */
    @AttributeDefinition(name = "Key password", required = false, type = AttributeType.PASSWORD,
            description = "wss: password of an encrypted key file.")
    String keyPassword();

    /** A PKCS#12 or JKS key store instead of the PEM files. */
    @AttributeDefinition(name = "Key store", required = false,
            description = "wss: PKCS#12 or JKS key store with the key and its chain (instead of the PEM files).")
    String keyStore();

    /** The key store's password. */
    @AttributeDefinition(name = "Key store password", required = false, type = AttributeType.PASSWORD,
            description = "wss: password of the key store and its key entry.")
    String keyStorePassword();

    /** PKCS12 or JKS. */
    @AttributeDefinition(name = "Key store type", required = false, description = "wss: PKCS12 (default) or JKS.")
    String keyStoreType();

    /** The CA bundle client certificates are checked against. */
    @AttributeDefinition(name = "CA file", required = false,
            description = "wss: PEM bundle of the CAs client certificates are checked against.")
    String caFile();

    /** none, optional or required. */
    @AttributeDefinition(name = "Client certificates", required = false,
            description = "wss: none (default), optional or required.")
    String clientAuth();

    /** Comma-separated protocol versions. */
    @AttributeDefinition(name = "Protocols", required = false,
            description = "wss: TLSv1.3, TLSv1.2 or both (comma-separated; default both).")
    String protocols();

    /** Comma-separated cipher suites; empty for the strong default. */
    @AttributeDefinition(name = "Cipher suites", required = false, description = "wss: comma-separated IANA "
            + "names; empty for the TLS 1.3 suites and ECDHE with AES-GCM or ChaCha20-Poly1305.")
    String cipherSuites();

    /** auto, jdk or openssl. */
    @AttributeDefinition(name = "Provider", required = false,
            description = "wss: auto (default: OpenSSL when it loads, else JDK), jdk or openssl.")
    String provider();

    /** How often the files are checked for changes, 0 for never. */
    @AttributeDefinition(name = "Reload interval (ms)", required = false, min = "0",
            description = "wss: how often the key and certificate files are checked for changes (default 1000); "
                    + "0: never.")
    String reloadIntervalMillis();

    /** How long a client has to complete the TLS handshake. */
    @AttributeDefinition(name = "TLS handshake timeout (ms)", required = false, min = "1",
            description = "wss: TLS handshake time limit (default 10000).")
    String handshakeTimeoutMillis();

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
