package io.cairn.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks the credentials of a client that connects: its user name and password, its TLS certificate, where it
 * comes from.
 *
 * <p>Register it as an OSGi service (or pass it to the embedded broker's builder), with a {@code name} service
 * property by which listeners may select it ({@link ListenerSecurity#authenticators()}). The authenticators a
 * listener selects form its chain, asked in {@code service.ranking} order (highest first) until one accepts or
 * rejects; a chain in which every authenticator defers refuses the client (0x86 / return code 4), except an
 * anonymous client on a listener that allows anonymous access.
 */
@ConsumerType
public interface Authenticator {

    /**
     * Answers for one CONNECT. Called on a network thread: it MUST NOT block. A check that needs I/O returns
     * {@link Authentication#later} and completes it from another thread. An exception counts as a defer and is
     * logged.
     */
    Authentication authenticate(ConnectRequest request);
}
