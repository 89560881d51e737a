package io.cairn.api.bridge;

import org.osgi.annotation.versioning.ConsumerType;

/** A running bridge as the broker lists it. Implemented by bridge plugins; called from any thread. */
@ConsumerType
public interface Bridge {

    /** The bridge's name, unique in the broker; its local client identifier is {@code $bridge/<name>}. */
    String name();

    /** What the bridge is doing now. */
    BridgeActivity activity();
}
