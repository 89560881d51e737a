package io.cairn.kernel;

import io.cairn.api.message.ReasonCode;
import io.cairn.api.broker.BridgeStatus;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.BrokerStatistics;
import io.cairn.api.broker.ClientInfo;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.api.broker.SessionInfo;
import io.cairn.api.message.Message;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.protocol.MqttConnection;
import io.cairn.kernel.session.Outlet;
import io.cairn.kernel.session.Session;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
        long subscriptions = kernel.subscriptionCount();
        return new BrokerStatistics(kernel.connectedCount(), kernel.sessions().size(), subscriptions,
                kernel.retained().size(), kernel.received.sum(), kernel.sent.sum(),
                kernel.byteCounter().bytesIn(), kernel.byteCounter().bytesOut(), kernel.dropped.sum(),
                kernel.connectionsTotal.sum());
    }
}
