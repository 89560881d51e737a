package io.cairn.api.intercept;

import org.osgi.annotation.versioning.ConsumerType;

/** Sees each connection of an accepted client end, however it ended. */
@ConsumerType
public interface DisconnectInterceptor {

    void onDisconnect(ClientView client, DisconnectInfo disconnect);
}
