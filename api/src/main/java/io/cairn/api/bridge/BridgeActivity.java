package io.cairn.api.bridge;

import java.time.Instant;
import java.util.Objects;

/**
 * A bridge's own account of its link.
 *
 * @param remote      where it links to, for example {@code mqtts://upstream.example:8883 (MQTT 5)}
 * @param connected   whether the link to the remote is up now
 * @param sent        messages the remote has taken from this bridge (acknowledged for QoS 1 and 2) since start
 * @param received    messages the bridge took from the remote and the local broker accepted, since start
 * @param lastError   the last problem, or {@code null} if there was none
 * @param lastErrorAt when {@code lastError} happened, or {@code null}
 */
public record BridgeActivity(String remote, boolean connected, long sent, long received, String lastError,
                             Instant lastErrorAt) {

    public BridgeActivity {
        Objects.requireNonNull(remote, "remote");
    }
}
