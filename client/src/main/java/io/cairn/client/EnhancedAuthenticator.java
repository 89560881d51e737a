package io.cairn.client;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The client's side of MQTT 5 enhanced authentication (MQTT 5.0 §4.12): a challenge/response exchange of AUTH
 * packets between CONNECT and CONNACK, and again for re-authentication on a live connection
 * ({@link MqttClient#reauthenticate()}). Set it with {@link MqttClient.Builder#enhancedAuthentication}; the
 * client then sends {@link #method()} and {@link #initialData()} in CONNECT, answers every AUTH with reason
 * {@code 0x18} (Continue authentication) by calling {@link #onChallenge(byte[])}, and reports the outcome.
 *
 * <p>Called on the client's event loop thread: an implementation MUST NOT block there. An answer that takes time
 * (a password prompt, a remote signer) returns a stage completed later on any thread; the client's connect
 * timeout bounds the whole exchange. A stage that fails aborts the authentication: the client sends DISCONNECT
 * and the connect (or re-authenticate) future fails with that cause.
 *
 * @since 1.1.0
 */
@ConsumerType
public interface EnhancedAuthenticator {

    /** The Authentication Method, e.g. {@code SCRAM-SHA-256}; the same on every call. */
    String method();

    /** The Authentication Data sent with CONNECT, or {@code null} for none. Called once per connection attempt. */
    default byte[] initialData() {
        return null;
    }

    /**
     * Answers the server's challenge (an AUTH with reason {@code 0x18}).
     *
     * @param serverData the server's Authentication Data, or {@code null} if it sent none
     * @return a stage with the data for the client's AUTH {@code 0x18}, or {@code null} for none
     */
    CompletionStage<byte[]> onChallenge(byte[] serverData);

    /**
     * The server accepted the authentication: CONNACK {@code 0x00}, or AUTH {@code 0x00} after a
     * re-authentication.
     *
     * @param serverData the server's final Authentication Data, or {@code null}
     */
    default void onSuccess(byte[] serverData) {
    }

    /**
     * The server refused the authentication: a CONNACK, or a DISCONNECT during re-authentication, with
     * {@code reasonCode} of {@code 0x80} or above.
     *
     * @param reasonString the server's Reason String, or {@code null}
     */
    default void onFailure(int reasonCode, String reasonString) {
    }

    /** The Authentication Data for a re-authentication's AUTH {@code 0x19}; by default {@link #initialData()}. */
    default byte[] reauthenticationData() {
        return initialData();
    }
}
