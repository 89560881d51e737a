package io.cairn.metrics.internal;

import io.cairn.api.broker.BridgeStatus;
import io.cairn.api.broker.InterceptorStatus;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.BrokerMetrics;
import io.cairn.api.broker.BrokerStatistics;
import io.cairn.api.broker.DropReason;
import io.cairn.api.broker.ListenerMetrics;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.api.broker.MessageCounts;
import io.cairn.api.message.ReasonCode;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The broker's figures as Prometheus metrics, read from {@link Broker#metrics()} (one pass over the sessions),
 * {@link Broker#listenerStatus()}, {@link Broker#bridges()} and {@link Broker#interceptors()} at each scrape. docs/metrics.md lists them.
 */
final class BrokerCollector implements MultiCollector {

    private final Broker broker;

    BrokerCollector(Broker broker) {
        this.broker = broker;
    }

    @Override
    public MetricSnapshots collect() {
        BrokerMetrics m = broker.metrics();
        BrokerStatistics s = m.statistics();
        List<ListenerMetrics> listeners = m.listeners();
        List<MetricSnapshot> out = new ArrayList<>();

        out.add(InfoSnapshot.builder().name("cairn_broker").help("The broker's version")
                .dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("version", broker.version())).build())
                .build());
        out.add(gauge("cairn_sessions", "Sessions held now, connected or not", s.sessions()));
        out.add(gauge("cairn_subscriptions", "Subscriptions held now", s.subscriptions()));
        out.add(gauge("cairn_retained_messages", "Retained messages held now", s.retainedMessages()));
        out.add(gauge("cairn_queued_messages", "Messages waiting in the queues of all sessions now",
                m.queuedMessages()));
        out.add(gauge("cairn_inflight_messages",
                "QoS 1/2 messages sent to clients and not yet acknowledged, over all sessions", m.inflightMessages()));
        out.add(gauge("cairn_queued_messages_max", "The longest queue of one session now", m.maxQueuedMessages()));

        CounterSnapshot.Builder dropped = CounterSnapshot.builder().name("cairn_messages_dropped")
                .help("Messages not delivered to a matched subscriber, by reason");
        for (DropReason r : DropReason.values()) {
            dropped.dataPoint(counter(Labels.of("reason", label(r.name())), m.dropped().get(r)));
        }
        out.add(dropped.build());

        CounterSnapshot.Builder received = CounterSnapshot.builder().name("cairn_messages_received")
                .help("PUBLISH packets received from clients, by listener and QoS");
        CounterSnapshot.Builder sent = CounterSnapshot.builder().name("cairn_messages_sent")
                .help("PUBLISH packets sent to clients, by listener and QoS");
        CounterSnapshot.Builder bytesIn = CounterSnapshot.builder().name("cairn_received_bytes").unit(Unit.BYTES)
                .help("Bytes read from client connections, by listener");
        CounterSnapshot.Builder bytesOut = CounterSnapshot.builder().name("cairn_sent_bytes").unit(Unit.BYTES)
                .help("Bytes written to client connections, by listener");
        CounterSnapshot.Builder accepted = CounterSnapshot.builder().name("cairn_connections_accepted")
                .help("Network connections accepted, by listener");
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("cairn_connections_open")
                .help("Network connections open now, including those not yet past CONNECT, by listener");
        GaugeSnapshot.Builder clients = GaugeSnapshot.builder().name("cairn_clients_connected")
                .help("Clients connected now (CONNECT accepted), by listener");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("cairn_listener_up")
                .help("1 if the listener accepts connections now, 0 if it closed");
        CounterSnapshot.Builder refused = CounterSnapshot.builder().name("cairn_connections_refused")
                .help("CONNECTs refused, by listener and reason");
        CounterSnapshot.Builder authFailures = CounterSnapshot.builder().name("cairn_auth_failures")
                .help("CONNECTs refused by authentication, by listener and reason");
        for (ListenerMetrics l : listeners) {
            String name = l.name();
            addByQos(received, name, l.received());
            addByQos(sent, name, l.sent());
            Labels byName = Labels.of("listener", name);
            bytesIn.dataPoint(counter(byName, l.bytesReceived()));
            bytesOut.dataPoint(counter(byName, l.bytesSent()));
            accepted.dataPoint(counter(byName, l.connectionsAccepted()));
            open.dataPoint(gaugePoint(byName, l.connectionsOpen()));
            clients.dataPoint(gaugePoint(byName, l.clientsConnected()));
            up.dataPoint(gaugePoint(byName, l.open() ? 1 : 0));
            addByReason(refused, name, l.refused());
            addByReason(authFailures, name, l.authFailures());
        }
        out.add(received.build());
        out.add(sent.build());
        out.add(bytesIn.build());
        out.add(bytesOut.build());
        out.add(accepted.build());
        out.add(open.build());
        out.add(clients.build());
        out.add(up.build());
        out.add(refused.build());
        out.add(authFailures.build());

        InfoSnapshot.Builder listenerInfo = InfoSnapshot.builder().name("cairn_listener")
                .help("Each open listener: its URL and the plugin (transport bundle) serving it");
        for (ListenerStatus l : broker.listenerStatus()) {
            // the provider is "<symbolic name> <version>" of the transport bundle, or "embedded"
            String plugin = l.provider().split(" ", 2)[0];
            listenerInfo.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("listener", l.listener().name(),
                    "url", l.listener().uri(), "plugin", plugin, "state", label(l.state().name()))).build());
        }
        out.add(listenerInfo.build());

        GaugeSnapshot.Builder bridgeUp = GaugeSnapshot.builder().name("cairn_bridge_up")
                .help("1 if the bridge's link to its remote broker is up");
        GaugeSnapshot.Builder bridgeQueued = GaugeSnapshot.builder().name("cairn_bridge_queued_messages")
                .help("Messages for the remote that the broker holds for the bridge now");
        CounterSnapshot.Builder bridgeSent = CounterSnapshot.builder().name("cairn_bridge_messages_sent")
                .help("Messages the remote took from the bridge since the bridge started");
        CounterSnapshot.Builder bridgeReceived = CounterSnapshot.builder().name("cairn_bridge_messages_received")
                .help("Messages taken from the remote and accepted by this broker since the bridge started");
        for (BridgeStatus b : broker.bridges()) {
            Labels byName = Labels.of("bridge", b.name());
            bridgeUp.dataPoint(gaugePoint(byName, b.connected() ? 1 : 0));
            bridgeQueued.dataPoint(gaugePoint(byName, b.queued()));
            bridgeSent.dataPoint(counter(byName, b.sent()));
            bridgeReceived.dataPoint(counter(byName, b.received()));
        }
        out.add(bridgeUp.build());
        out.add(bridgeQueued.build());
        out.add(bridgeSent.build());
        out.add(bridgeReceived.build());

        CounterSnapshot.Builder interceptorFailures = CounterSnapshot.builder().name("cairn_interceptor_failures")
                .help("Calls of a plugin's interceptors that threw (kind exception) or took longer than their "
                        + "time budget (kind overrun), since they were added");
        GaugeSnapshot.Builder interceptorQuarantined = GaugeSnapshot.builder().name("cairn_interceptor_quarantined")
                .help("1 if the plugin's interceptors exceeded their error budget and the plugin was stopped");
        for (InterceptorStatus i : broker.interceptors()) {
            interceptorFailures.dataPoint(counter(Labels.of("plugin", i.plugin(), "kind", "exception"),
                    i.exceptions()));
            interceptorFailures.dataPoint(counter(Labels.of("plugin", i.plugin(), "kind", "overrun"), i.overruns()));
            interceptorQuarantined.dataPoint(gaugePoint(Labels.of("plugin", i.plugin()), i.quarantined() ? 1 : 0));
        }
        out.add(interceptorFailures.build());
        out.add(interceptorQuarantined.build());
        return new MetricSnapshots(out);
    }

    private static void addByQos(CounterSnapshot.Builder b, String listener, MessageCounts counts) {
        for (int qos = 0; qos <= 2; qos++) {
            long n = qos == 0 ? counts.qos0() : qos == 1 ? counts.qos1() : counts.qos2();
            b.dataPoint(counter(Labels.of("listener", listener, "qos", Integer.toString(qos)), n));
        }
    }

    private static void addByReason(CounterSnapshot.Builder b, String listener, Map<ReasonCode, Long> counts) {
        counts.forEach((reason, n) -> b.dataPoint(counter(Labels.of("listener", listener, "reason",
                label(reason.name())), n)));
    }

    /** An enum constant as a label value: {@code QUEUE_FULL} is {@code queue_full}. */
    static String label(String constant) {
        return constant.toLowerCase(Locale.ROOT);
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(gaugePoint(Labels.EMPTY, value)).build();
    }

    private static GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterDataPointSnapshot counter(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
