package io.cairn.api.auth;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Who a connected client is, as authorization sees it: what it sent in CONNECT, where it came from, and what
 * its authenticator recorded about it. Provided by the kernel; immutable, so an authorizer may keep it.
 */
@ProviderType
public interface ClientIdentity {

    /** The client identifier (an assigned one if the client sent none). */
    String clientId();

    /** The user name the client sent, or {@code null}; an authenticator may have replaced it (for example by a certificate's CN). */
    String username();

    /**
     * The client's verified TLS certificate chain, the client's own certificate first; empty when the
     * connection has no client certificate (plain TCP, or TLS without client authentication).
     */
    List<X509Certificate> certificates();

    /** The name of the listener the client connected to. */
    String listener();

    /** The client's address, or {@code null} when the transport has none. */
    InetSocketAddress remoteAddress();

    /** 3 for MQTT 3.1, 4 for 3.1.1, 5 for 5.0. */
    int protocolLevel();

    /**
     * The attributes the authenticator that accepted the client set ({@link Authentication#accept(Map)}), for
     * example a role or a tenant; empty when it set none or the client was let in anonymously.
     */
    Map<String, String> attributes();

    /** Whether the client was let in without an authenticator accepting it ({@link ListenerSecurity#allowAnonymous()}). */
    boolean anonymous();
}
