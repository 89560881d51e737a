package io.cairn.kernel;

import io.cairn.api.message.ReasonCode;
import io.cairn.api.broker.BridgeStatus;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.BrokerMetrics;
import io.cairn.api.broker.BrokerStatistics;
import io.cairn.api.broker.ClientInfo;
import io.cairn.api.broker.InterceptorStatus;
import io.cairn.api.broker.DropReason;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.broker.ListenerMetrics;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.api.broker.SessionInfo;
import io.cairn.api.message.Message;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.protocol.ListenerCounters;
import io.cairn.kernel.protocol.MqttConnection;
import io.cairn.kernel.session.Outlet;
import io.cairn.kernel.session.Session;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The broker service over a kernel. */
final class KernelBroker implements Broker {

    private final Kernel kernel;

    KernelBroker(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String version() {
        return Kernel.VERSION;
    }

    @Override
    public List<ClientInfo> clients() {
        List<ClientInfo> list = new ArrayList<>();
        for (MqttConnection c : kernel.clients()) {
            list.add(c.info());
        }
        list.sort(Comparator.comparing(ClientInfo::clientId));
        return list;
    }

    @Override
    public List<SessionInfo> sessions() {
        List<SessionInfo> list = new ArrayList<>();
        for (Session s : kernel.sessions().all()) {
            list.add(s.info());
        }
        list.sort(Comparator.comparing(SessionInfo::clientId));
        return list;
    }

    @Override
    public Optional<SessionInfo> session(String clientId) {
        Session s = kernel.sessions().get(clientId);
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    @Override
    public List<ListenerInfo> listeners() {
        List<ListenerInfo> list = new ArrayList<>(kernel.listeners().values());
        list.sort(Comparator.comparing(ListenerInfo::name));
        return list;
    }

    @Override
    public List<ListenerStatus> listenerStatus() {
        return kernel.listenerSockets().status();
    }

    @Override
    public List<BridgeStatus> bridges() {
        return kernel.bridges().status();
    }

    @Override
    public boolean disconnect(String clientId) {
        Session s = kernel.sessions().get(clientId);
        Outlet o = s == null ? null : s.outlet();
        if (o == null) {
            return false;
        }
        o.eventLoop().execute(() -> o.closeByServer(ReasonCode.ADMINISTRATIVE_ACTION, "disconnected by an operator"));
        return true;
    }

    @Override
    public void publish(Message message) {
        Publication p = Publication.of(message, System.currentTimeMillis());
        try {
            kernel.publish(p);
        } finally {
            p.release();
        }
    }

    @Override
    public BrokerStatistics statistics() {
        long received = 0;
        long sent = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        long accepted = 0;
        for (ListenerCounters c : kernel.allListenerCounters()) {
            received += c.messagesReceived();
            sent += c.messagesSent();
            bytesIn += c.bytes().bytesIn();
            bytesOut += c.bytes().bytesOut();
            accepted += c.connectionsAccepted();
        }
        return new BrokerStatistics(kernel.connectedCount(), kernel.sessions().size(), kernel.subscriptionCount(),
                kernel.retained().size(), received, sent, bytesIn, bytesOut,
                kernel.dropped(DropReason.QUEUE_FULL) + kernel.dropped(DropReason.TOO_LARGE), accepted);
    }

    @Override
    public BrokerMetrics metrics() {
        BrokerStatistics statistics = statistics();
        Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            dropped.put(r, kernel.dropped(r));
        }
        long queued = 0;
        long inflight = 0;
        long longest = 0;
        for (Session s : kernel.sessions().all()) {
            int q = s.queuedCount();
            queued += q;
            inflight += s.inflightCount();
            longest = Math.max(longest, q);
        }
        Map<String, ListenerInfo> open = kernel.listeners();
        List<ListenerMetrics> listeners = new ArrayList<>();
        for (String name : open.keySet()) {
            kernel.listenerCounters(name); // an open listener is listed before its first connection
        }
        for (ListenerCounters c : kernel.allListenerCounters()) {
            boolean isOpen = open.containsKey(c.name()) || Kernel.BRIDGE_LISTENER.equals(c.name());
            listeners.add(c.snapshot(isOpen));
        }
        listeners.sort(Comparator.comparing(ListenerMetrics::name));
        return new BrokerMetrics(statistics, dropped, queued, inflight, longest, listeners);
    }

    @Override
    public List<InterceptorStatus> interceptors() {
        return kernel.interceptors().status();
    }
}
