package io.cairn.api.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The handle of a listener registered with {@link TransportContext#registerListener}.
 */
@ProviderType
public interface ListenerRegistration extends AutoCloseable {

    /** Unregisters the listener: the broker no longer lists it. Idempotent. */
    @Override
    void close();
}
