package io.cairn.client;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages the server delivers for a subscription.
 *
 * <p>Runs on the client's event loop thread: an implementation MUST NOT block (hand long work to an executor)
 * and MUST NOT wait on a future of the same client. For QoS 1 the PUBACK is sent after this method returns, for
 * QoS 2 the message is delivered once even if the server re-sends it. An exception thrown here is logged and
 * does not affect the connection; the message is still acknowledged.
 */
@ConsumerType
@FunctionalInterface
public interface MessageListener {

    /** Called once per delivered message. */
    void onMessage(ReceivedMessage message);
}
