package io.cairn.api.intercept;

import io.cairn.api.persistence.Subscription;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each subscription of a SUBSCRIBE, after authorization: grants it, narrows it (a lower maximum QoS, a
 * narrower filter, other options) or refuses it with a SUBACK reason code.
 */
@ConsumerType
public interface SubscribeInterceptor {

    SubscribeOutcome onSubscribe(ClientView client, Subscription subscription);
}
