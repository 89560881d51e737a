package io.cairn.api.broker;

import io.cairn.api.message.ReasonCode;
import java.util.Map;
import java.util.Objects;

/**
 * What went through one listener since the broker started. A listener that closed keeps its figures (a
 * listener opened again under the same name goes on counting from them). Since 1.3.
 *
 * @param name                the listener's name ({@code $bridge} for the in-process endpoint of bridges)
 * @param open                whether the listener accepts connections now
 * @param connectionsOpen     network connections of this listener open now, including those not yet past CONNECT
 * @param clientsConnected    clients of this listener whose CONNECT was accepted and that are connected now
 * @param connectionsAccepted network connections this listener accepted
 * @param received            PUBLISH packets received from its clients
 * @param sent                PUBLISH packets sent to its clients
 * @param bytesReceived       bytes read from its connections
 * @param bytesSent           bytes written to its connections
 * @param refused             CONNECTs refused, by the reason given to the client (for MQTT 3.1/3.1.1 clients the
 *                            MQTT 5 reason the nearest return code was derived from); only reasons that occurred
 * @param authFailures        the part of {@code refused} that authentication refused: no authenticator of the
 *                            listener let the client in, enhanced authentication failed or timed out, or the
 *                            client may not publish its will
 * @since 1.3
 */
public record ListenerMetrics(String name, boolean open, long connectionsOpen, long clientsConnected,
                              long connectionsAccepted, MessageCounts received, MessageCounts sent,
                              long bytesReceived, long bytesSent, Map<ReasonCode, Long> refused,
                              Map<ReasonCode, Long> authFailures) {

    public ListenerMetrics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(received, "received");
        Objects.requireNonNull(sent, "sent");
        refused = Map.copyOf(refused);
        authFailures = Map.copyOf(authFailures);
    }
}
