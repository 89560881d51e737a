package io.cairn.api.bridge;

import org.osgi.annotation.versioning.ProviderType;

/** A bridge listed by the broker; closing it removes the bridge from the list. */
@ProviderType
public interface BridgeRegistration extends AutoCloseable {

    /** Removes the bridge from the broker's list; idempotent. */
    @Override
    void close();
}
