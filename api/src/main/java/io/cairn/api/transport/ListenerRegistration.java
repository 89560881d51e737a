package io.cairn.api.transport;

import io.cairn.api.auth.ListenerSecurity;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The handle of a listener registered with {@link TransportContext#registerListener}.
 */
@ProviderType
public interface ListenerRegistration extends AutoCloseable {

    /**
     * Changes how the listener authenticates and authorizes its clients, without closing it: connections already
     * open follow the new chains from their next packet, and their subscriptions are checked again. Since 1.1.
     *
     * @throws IllegalArgumentException naming the setting, if a selector is invalid; the old security stays
     */
    void updateSecurity(ListenerSecurity security);

    /** Unregisters the listener: the broker no longer lists it. Idempotent. */
    @Override
    void close();
}
