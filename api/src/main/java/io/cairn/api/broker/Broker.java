package io.cairn.api.broker;

import io.cairn.api.message.Message;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running broker. Provided by the kernel; thread-safe; every method may be called from any thread and
 * returns without waiting for network I/O.
 */
@ProviderType
public interface Broker {

    /** The broker's version, for example {@code 0.1.0}. */
    String version();

    /** The clients connected now. */
    List<ClientInfo> clients();

    /** Every session held now, connected or not. */
    List<SessionInfo> sessions();

    /** The session of {@code clientId}, or empty. */
    Optional<SessionInfo> session(String clientId);

    /** The listeners open now. */
    List<ListenerInfo> listeners();

    /**
     * Every listener the kernel holds now, with the transport serving it and its connection count, by name; a
     * listener whose transport is being updated is listed as {@link ListenerStatus.State#HANDING_OVER}. Since 1.1.
     */
    List<ListenerStatus> listenerStatus();

    /**
     * Closes the network connection of {@code clientId} as if the network had failed: its will is published and
     * a persistent session is kept.
     *
     * @return {@code false} if no client with that identifier is connected
     */
    boolean disconnect(String clientId);

    /**
     * Publishes {@code message} to the matching subscribers as if a client had published it (a retained
     * message is stored).
     */
    void publish(Message message);

    /** The bridges running now, by name. Since 1.2. */
    List<BridgeStatus> bridges();

    /** The broker's counters now. */
    BrokerStatistics statistics();

    /**
     * The broker's figures for monitoring now: messages by QoS, drops by reason, queue depths, refused
     * connections and each listener's figures. Costs one pass over the sessions; meant for a scrape every few
     * seconds, not per message.
     *
     * @since 1.3
     */
    BrokerMetrics metrics();

    /**
     * The plugins whose interceptors the broker applies now, and those it quarantined, by plugin name.
     *
     * @since 1.4
     */
    List<InterceptorStatus> interceptors();
}
