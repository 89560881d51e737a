package io.cairn.api.broker;

import java.time.Instant;
import java.util.Objects;

/**
 * A bridge as the broker sees it: the bridge's own account of its link, and what waits for it in the broker.
 *
 * @param name        the bridge's name
 * @param remote      where it links to, for example {@code mqtt://upstream.example:1883 (MQTT 3.1.1)}
 * @param connected   whether the link to the remote is up now
 * @param queued      messages for the remote that the broker holds now (in flight to the bridge and queued in
 *                    its session, which persists them with a durable store); {@code 0} if its session is gone
 * @param sent        messages the remote has taken from the bridge since it started
 * @param received    messages taken from the remote and accepted by the local broker since the bridge started
 * @param lastError   the bridge's last problem, or {@code null}
 * @param lastErrorAt when {@code lastError} happened, or {@code null}
 * @since 1.2
 */
public record BridgeStatus(String name, String remote, boolean connected, long queued, long sent, long received,
                           String lastError, Instant lastErrorAt) {

    public BridgeStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(remote, "remote");
    }
}
