package io.cairn.management.internal;

import io.cairn.api.broker.BridgeStatus;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.BrokerStatistics;
import io.cairn.api.broker.ClientInfo;
import io.cairn.api.broker.InterceptorStatus;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.api.broker.SessionInfo;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's commands in the Gogo shell, scope {@code cairn}: {@code cairn:clients}, {@code cairn:sessions},
 * {@code cairn:subscriptions}, {@code cairn:kick}, {@code cairn:listeners}, {@code cairn:plugins},
 * {@code cairn:bridges}, {@code cairn:stats} and {@code cairn:publish}.
 *
 * <p>Each listing returns its table as text (Gogo prints it; a script can pipe or grep it). A command that cannot
 * do what it was asked throws {@link IllegalArgumentException} with the reason, which the shell prints.
 * What an operator changes through the shell (a kick, a publication) is logged on {@code event.shell}.
 */
@Component(service = BrokerCommands.class, property = {
        "osgi.command.scope=cairn",
        "osgi.command.function=clients",
        "osgi.command.function=sessions",
        "osgi.command.function=subscriptions",
        "osgi.command.function=kick",
        "osgi.command.function=listeners",
        "osgi.command.function=plugins",
        "osgi.command.function=bridges",
        "osgi.command.function=interceptors",
        "osgi.command.function=stats",
        "osgi.command.function=publish"})
public final class BrokerCommands {

    private static final Logger EVENTS = LoggerFactory.getLogger("event.shell");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final Broker broker;
    private final PluginInventory inventory;

    @Activate
    public BrokerCommands(@Reference Broker broker, BundleContext context) {
        this(broker, context == null ? null : new PluginInventory(context).broker(broker));
    }

    /** Commands on {@code broker}; {@code inventory} may be {@code null} outside a framework (no plugins). */
    public BrokerCommands(Broker broker, PluginInventory inventory) {
        this.broker = broker;
        this.inventory = inventory;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindComponents(ServiceComponentRuntime runtime) {
        if (inventory != null) {
            inventory.components(runtime);
        }
    }

    void unbindComponents(ServiceComponentRuntime runtime) {
        if (inventory != null) {
            inventory.components(null);
        }
    }

    @Deactivate
    void deactivate() {
        if (inventory != null) {
            inventory.close();
        }
    }

    @Descriptor("list the connected clients")
    public String clients() {
        List<ClientInfo> clients = broker.clients().stream()
                .sorted(Comparator.comparing(ClientInfo::clientId)).toList();
        Table table = new Table("CLIENT ID", "USER", "MQTT", "LISTENER", "REMOTE ADDRESS", "CONNECTED SINCE",
                "KEEP ALIVE", "CLEAN");
        for (ClientInfo client : clients) {
            table.row(client.clientId(), client.username(), protocol(client.protocolLevel()), client.listener(),
                    client.remoteAddress(), TIME.format(Instant.ofEpochMilli(client.connectedAt())),
                    client.keepAlive() + " s", client.cleanSession() ? "yes" : "no");
        }
        return table + count(table.size(), "client", "connected");
    }

    @Descriptor("list the sessions, connected or not")
    public String sessions() {
        List<SessionInfo> sessions = broker.sessions().stream()
                .sorted(Comparator.comparing(SessionInfo::clientId)).toList();
        Table table = new Table("CLIENT ID", "CONNECTED", "PERSISTENT", "SUBSCRIPTIONS", "IN FLIGHT", "QUEUED",
                "DROPPED");
        for (SessionInfo session : sessions) {
            table.row(session.clientId(), session.connected() ? "yes" : "no", session.persistent() ? "yes" : "no",
                    session.subscriptions().size(), session.inflight(), session.queued(), session.dropped());
        }
        return table + count(table.size(), "session", "held");
    }

    @Descriptor("list the subscriptions of every session")
    public String subscriptions() {
        return subscriptions(broker.sessions());
    }

    @Descriptor("list the subscriptions of one session")
    public String subscriptions(@Descriptor("the client identifier") String clientId) {
        SessionInfo session = broker.session(clientId)
                .orElseThrow(() -> new IllegalArgumentException("no session for client '" + clientId + "'"));
        return subscriptions(List.of(session));
    }

    private static String subscriptions(List<SessionInfo> sessions) {
        Table table = new Table("CLIENT ID", "TOPIC FILTER", "QOS", "OPTIONS");
        sessions.stream().sorted(Comparator.comparing(SessionInfo::clientId)).forEach(session -> {
            for (Subscription subscription : session.subscriptions()) {
                table.row(session.clientId(), subscription.topicFilter(), subscription.qos().value(),
                        options(subscription));
            }
        });
        return table + count(table.size(), "subscription", "held");
    }

    @Descriptor("close a client's connection as if the network had failed: its will is published, a persistent "
            + "session is kept")
    public String kick(@Descriptor("the client identifier") String clientId) {
        if (!broker.disconnect(clientId)) {
            throw new IllegalArgumentException("no client '" + clientId + "' is connected");
        }
        EVENTS.info("client {} disconnected from the shell", clientId);
        return "disconnected " + clientId;
    }

    @Descriptor("list the listeners with the transport serving each and its connections")
    public String listeners() {
        Table table = new Table("NAME", "ADDRESS", "STATE", "CONNECTIONS", "SERVED BY");
        List<ListenerStatus> listeners = broker.listenerStatus().stream()
                .sorted(Comparator.comparing(status -> status.listener().name())).toList();
        for (ListenerStatus status : listeners) {
            table.row(status.listener().name(), status.listener().uri(), status.state().name().toLowerCase(),
                    status.connections(), status.provider());
        }
        return table + count(table.size(), "listener", "open");
    }

    @Descriptor("list the plugin bundles with version and state, and why one that does not run does not")
    public String plugins(
            @Descriptor("every bundle, not only the plugins") @Parameter(names = {"-a", "--all"},
                    presentValue = "true", absentValue = "false") boolean all) {
        if (inventory == null) {
            throw new IllegalArgumentException("no plugins: this broker runs without an OSGi framework");
        }
        Table table = new Table("ID", "BUNDLE", "VERSION", "STATE", "PROBLEM");
        for (PluginInventory.Plugin plugin : inventory.plugins(all)) {
            table.row(plugin.id(), plugin.symbolicName(), plugin.version(), plugin.state(),
                    plugin.problem().isEmpty() ? "" : plugin.problem());
        }
        return table + count(table.size(), all ? "bundle" : "plugin", "installed");
    }

    @Descriptor("list the bridges with their status")
    public String bridges() {
        Table table = new Table("NAME", "REMOTE", "CONNECTED", "QUEUED", "SENT", "RECEIVED", "LAST ERROR");
        List<BridgeStatus> bridges = broker.bridges().stream()
                .sorted(Comparator.comparing(BridgeStatus::name)).toList();
        for (BridgeStatus bridge : bridges) {
            String error = bridge.lastError() == null ? ""
                    : bridge.lastError() + (bridge.lastErrorAt() == null ? "" : " (" + TIME.format(bridge.lastErrorAt()) + ")");
            table.row(bridge.name(), bridge.remote(), bridge.connected() ? "yes" : "no", bridge.queued(),
                    bridge.sent(), bridge.received(), error);
        }
        return table + count(table.size(), "bridge", "running");
    }

    @Descriptor("list the plugins with interceptors, what they intercept, their failures, and those quarantined")
    public String interceptors() {
        Table table = new Table("PLUGIN", "VERSION", "INTERCEPTS", "EXCEPTIONS", "OVERRUNS", "STATE",
                "LAST FAILURE");
        for (InterceptorStatus i : broker.interceptors()) {
            String failure = i.lastFailure() == null ? ""
                    : i.lastFailure() + (i.lastFailureAt() == null ? "" : " (" + TIME.format(i.lastFailureAt()) + ")");
            table.row(i.plugin(), i.version() == null ? "" : i.version(), String.join(", ", i.kinds()),
                    i.exceptions(), i.overruns(), i.quarantined() ? "quarantined" : "active", failure);
        }
        return table + count(table.size(), "plugin", "with interceptors");
    }

    @Descriptor("show the broker's counters since it started")
    public String stats() {
        BrokerStatistics stats = broker.statistics();
        Table table = new Table("FIGURE", "VALUE");
        table.row("version", broker.version())
                .row("clients connected", stats.connectedClients())
                .row("connections since start", stats.connectionsTotal())
                .row("sessions", stats.sessions())
                .row("subscriptions", stats.subscriptions())
                .row("retained messages", stats.retainedMessages())
                .row("messages received", stats.messagesReceived())
                .row("messages sent", stats.messagesSent())
                .row("messages dropped", stats.messagesDropped())
                .row("bytes received", stats.bytesReceived())
                .row("bytes sent", stats.bytesSent());
        return table.toString();
    }

    @Descriptor("publish a message as the broker, to the subscribers of its topic")
    public String publish(
            @Descriptor("quality of service: 0, 1 or 2 (default 0)") @Parameter(names = {"-q", "--qos"},
                    absentValue = "0") int qos,
            @Descriptor("retain it") @Parameter(names = {"-r", "--retain"}, presentValue = "true",
                    absentValue = "false") boolean retain,
            @Descriptor("the topic") String topic,
            @Descriptor("the payload, as UTF-8 text") String payload) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + topic + "' is no topic name: it must be non-empty, without "
                    + "wildcards (+ #) or NUL characters");
        }
        if (topic.startsWith("$")) {
            throw new IllegalArgumentException("topics starting with $ belong to the broker: '" + topic + "'");
        }
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        broker.publish(Message.of(topic, bytes, QoS.of(qos), retain));
        EVENTS.info("published from the shell to {} ({} bytes, QoS {}{})", topic, bytes.length, qos,
                retain ? ", retained" : "");
        return "published to " + topic + " (" + bytes.length + " bytes, QoS " + qos + (retain ? ", retained" : "")
                + ")";
    }

    private static String options(Subscription subscription) {
        StringBuilder options = new StringBuilder();
        if (subscription.noLocal()) {
            options.append("no-local ");
        }
        if (subscription.retainAsPublished()) {
            options.append("retain-as-published ");
        }
        if (subscription.retainHandling() != 0) {
            options.append("retain-handling=").append(subscription.retainHandling()).append(' ');
        }
        if (subscription.subscriptionIdentifier() != 0) {
            options.append("id=").append(subscription.subscriptionIdentifier()).append(' ');
        }
        return options.toString().strip();
    }

    private static String protocol(int level) {
        return switch (level) {
            case 3 -> "3.1";
            case 4 -> "3.1.1";
            case 5 -> "5.0";
            default -> String.valueOf(level);
        };
    }

    private static String count(int count, String noun, String verb) {
        return count + " " + noun + (count == 1 ? "" : "s") + " " + verb + "\n";
    }
}
