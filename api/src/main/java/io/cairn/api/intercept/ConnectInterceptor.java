package io.cairn.api.intercept;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each CONNECT the authenticators accepted, before the CONNACK: lets it in (optionally setting attributes
 * that later interceptors see in {@link ClientView#attributes()}) or refuses it with a reason code.
 */
@ConsumerType
public interface ConnectInterceptor {

    ConnectOutcome onConnect(ClientView client);
}
