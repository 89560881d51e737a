package io.cairn.api.persistence;

import io.cairn.api.message.Message;
import java.util.Objects;

/**
 * A will message of a session, with its MQTT 5 Will Delay Interval (0 for MQTT 3.1 and 3.1.1).
 *
 * @param message      the will message, with its QoS and retain flag
 * @param delaySeconds seconds to wait after the network connection closes before publishing
 */
public record StoredWill(Message message, long delaySeconds) {
    public StoredWill {
        Objects.requireNonNull(message, "message");
        if (delaySeconds < 0) {
            throw new IllegalArgumentException("will delay must not be negative");
        }
    }
}
