package io.cairn.api.auth;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A CONNECT to authenticate: the credentials the client sent and where it comes from. Provided by the kernel.
 * Valid only during {@link Authenticator#authenticate}: an authenticator that answers later copies what it needs
 * first ({@link #password()} gives a copy).
 */
@ProviderType
public interface ConnectRequest {

    /** The client identifier (an assigned one if the client sent none). */
    String clientId();

    /** The user name, or {@code null} when the client sent none. */
    String username();

    /** A copy of the password bytes, or {@code null} when the client sent none. */
    byte[] password();

    /** The verified TLS client certificate chain, the client's own first; empty without one. */
    List<X509Certificate> certificates();

    /** The name of the listener the client connected to. */
    String listener();

    /** The client's address, or {@code null} when the transport has none. */
    InetSocketAddress remoteAddress();

    /** 3 for MQTT 3.1, 4 for 3.1.1, 5 for 5.0. */
    int protocolLevel();
}
