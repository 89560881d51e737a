package io.cairn.bridge.internal;

import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.Broker;
import io.cairn.api.persistence.Subscription;
import io.cairn.bridge.BridgeSettings;
import io.cairn.bridge.Direction;
import io.cairn.bridge.MqttBridge;
import io.cairn.bridge.TopicMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one bridge per factory configuration of {@value BridgeSettings#PID}, that is one per
 * {@code etc/io.cairn.bridge-<name>.cfg} file: a new file starts a bridge, an edited one restarts it with the new
 * settings (its sessions, and so what is queued, carry over), a deleted one stops it and ends its local session.
 *
 * <p>A file with an error (an unknown key, a bad mapping, a TLS file that cannot be read) is one ERROR line naming
 * the file, the key and the problem; no bridge runs for it (an edit that breaks a running bridge's file keeps the
 * running one), and the broker and the other bridges go on.
 */
@Component(configurationPid = BridgeSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = BridgeConfiguration.class, factory = true)
public final class BridgeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeComponent.class);
    /** ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED (Declarative Services 1.1 and later). */
    static final int CONFIGURATION_DELETED = 4;

    private final BridgeContext context;
    private final Broker broker;
    private final Path home;
    private MqttBridge running;

    @Activate
    public BridgeComponent(@Reference BridgeContext context, @Reference Broker broker, Map<String, Object> properties) {
        this(context, broker, home(), properties);
    }

    BridgeComponent(BridgeContext context, Broker broker, Path home, Map<String, Object> properties) {
        this.context = context;
        this.broker = broker;
        this.home = home;
        apply(properties);
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    synchronized void deactivate(int reason) {
        if (running == null) {
            return;
        }
        if (reason == CONFIGURATION_DELETED) {
            running.remove();
        } else {
            running.close();
        }
        running = null;
    }

    /** Validates the configuration and (re)starts the bridge with it. */
    synchronized void apply(Map<String, Object> properties) {
        String source = BridgeSettings.source(properties);
        BridgeSettings settings;
        try {
            settings = BridgeSettings.from(properties, home);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid bridge configuration {}: {}; {}", source, e.getMessage(), running == null
                    ? "the bridge does not start until the file is fixed"
                    : "bridge " + running.name() + " goes on with its previous settings");
            return;
        }
        if (running != null && running.settings().equals(settings)) {
            return;
        }
        List<String> staleRemote = List.of();
        MqttBridge previous = running;
        if (previous != null) {
            staleRemote = previous.settings().topics().stream().filter(t -> t.direction() != Direction.OUT)
                    .map(TopicMapping::remoteFilter).toList();
            running = null;
            if (previous.name().equals(settings.name())) {
                previous.close();
            } else {
                previous.remove(); // renamed: the old name's session would wait for nobody
            }
        }
        List<String> staleLocal = broker.session(BridgeContext.localClientId(settings.name()))
                .map(s -> s.subscriptions().stream().map(Subscription::topicFilter).toList()).orElse(List.of());
        try {
            running = MqttBridge.start(context, settings, staleLocal, staleRemote);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid bridge configuration {}: {}; the bridge does not start until the file is fixed",
                    source, e.getMessage());
        }
    }

    private static Path home() {
        String home = System.getProperty("cairn.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath();
    }
}
