package io.cairn.api.intercept;

import io.cairn.api.message.Message;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each message on its way to one subscriber, before it is queued for it: passes it, replaces it for this
 * subscriber only, or drops it for this subscriber. Runs once per subscriber and message: keep it cheap.
 */
@ConsumerType
public interface DeliveryInterceptor {

    DeliveryOutcome onDeliver(ClientView subscriber, Message message);
}
