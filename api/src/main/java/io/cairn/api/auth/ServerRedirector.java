package io.cairn.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sends clients to another server (MQTT 5.0 §4.11): asked for every CONNECT before authentication, it may answer
 * with the server the client should use. An MQTT 5 client is refused with CONNACK 0x9C (Use another server) or
 * 0x9D (Server moved) and the Server Reference; an MQTT 3.1/3.1.1 client, which cannot be told where to go, is
 * refused with return code 0x03 (Server unavailable).
 *
 * <p>Register it as an OSGi service (or pass it to the embedded broker's builder); with several, they are asked
 * in {@code service.ranking} order and the first redirection wins.
 */
@ConsumerType
public interface ServerRedirector {

    /** Where the client should connect instead. */
    record Redirection(String serverReference, boolean permanent) {
        /**
         * @param serverReference the Server Reference for the client: a host, {@code host:port}, or several
         *                        separated by spaces (MQTT 5.0 §4.11)
         * @param permanent       0x9D (Server moved) if true, 0x9C (Use another server) if false
         */
        public Redirection {
            if (serverReference == null || serverReference.isBlank()) {
                throw new IllegalArgumentException("a redirection needs a server reference");
            }
        }
    }

    /**
     * The redirection for the client connecting, or {@code null} to let it connect here. Called on a network
     * thread; MUST NOT block.
     */
    Redirection redirect(ConnectInfo client);
}
