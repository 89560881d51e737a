package io.cairn.api.intercept;

import io.cairn.api.message.Message;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each PUBLISH a client sends, after authorization and before routing: passes it, replaces it (topic,
 * payload, properties, QoS, retain) or drops it. A dropped QoS 1/2 message is acknowledged with the outcome's reason
 * code to an MQTT 5 client (MQTT 3.1.1 has no way to say it: the acknowledgement is a normal one).
 */
@ConsumerType
public interface PublishInterceptor {

    PublishOutcome onPublish(ClientView publisher, Message message);
}
