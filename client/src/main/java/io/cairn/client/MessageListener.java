package io.cairn.client;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages the server delivers for a subscription.
 *
 * <p>Runs on the client's event loop thread: an implementation MUST NOT block (hand long work to an executor)
 * and MUST NOT wait on a future of the same client. For QoS 1 the PUBACK (for QoS 2 the PUBREC) is sent after
 * this method returns; QoS 2 messages are delivered once even if the server re-sends them. An exception thrown
 * here is logged and does not affect the connection; the message is still acknowledged.
 *
 * <p>With {@link MqttClient.Builder#manualAcknowledgement(boolean) manual acknowledgement} the client does not
 * acknowledge a QoS 1/2 message when this method returns: the application calls
 * {@link ReceivedMessage#acknowledge()}, here or later on any thread, and only then is the PUBACK or PUBREC sent
 * (in arrival order). A message the server re-sends while it still awaits acknowledgement is not delivered again.
 * A message several subscriptions match reaches each listener as the same object: one acknowledgement covers it.
 */
@ConsumerType
@FunctionalInterface
public interface MessageListener {

    /** Called once per delivered message. */
    void onMessage(ReceivedMessage message);
}
