package io.cairn.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An MQTT 5 authentication method (MQTT 5.0 §4.12), such as SCRAM or a token check: a client that names
 * {@link #method()} as its Authentication Method in CONNECT is authenticated by an exchange of AUTH packets that
 * this service drives, and may re-authenticate later on the same connection.
 *
 * <p>Register it as an OSGi service (or pass it to the embedded broker's builder). A CONNECT naming a method no
 * registered authenticator offers is refused with 0x8C (Bad authentication method). When two offer the same
 * method, the one with the higher {@code service.ranking} is used.
 */
@ConsumerType
public interface EnhancedAuthenticator {

    /** The Authentication Method this authenticator implements; compared exactly, case included. */
    String method();

    /**
     * Starts an exchange for a client that connects, or re-authenticates, with this method. Called on a network
     * thread; MUST NOT block.
     */
    AuthExchange begin(ConnectInfo client);
}
