package io.cairn.client;

import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Observes the connection state of a client. Every method has an empty default, so an implementation overrides
 * only what it needs.
 *
 * <p>Runs on the client's event loop thread: an implementation MUST NOT block. An exception thrown here is
 * logged and ignored.
 */
@ConsumerType
public interface ConnectionListener {

    /** The server accepted a connection: the first one or a reconnect. */
    default void connected(ConnectResult result) {
    }

    /** An established connection ended without {@link MqttClient#disconnect()}: {@code cause} says why. */
    default void connectionLost(Throwable cause) {
    }

    /**
     * The client will try to reconnect after {@code delay}.
     *
     * @param attempt the attempt number since the connection was lost, from 1
     * @param delay   the backoff before the attempt, jitter included
     * @param cause   why the connection or the previous attempt failed
     */
    default void reconnecting(int attempt, Duration delay, Throwable cause) {
    }

    /**
     * The client stopped connecting and stays disconnected until {@link MqttClient#connect()}: after
     * {@link MqttClient#disconnect()} ({@code cause} is {@code null}), after a failed {@code connect()}, after a
     * loss without reconnect policy, or when the server refused a reconnect permanently.
     */
    default void disconnected(Throwable cause) {
    }

    /** The client was closed; no other call follows. */
    default void closed() {
    }
}
