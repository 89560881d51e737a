package io.cairn.management.internal;

import io.cairn.api.broker.Broker;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * Publishes the plugins under {@code $SYS/broker/plugins/<symbolic name>/}: {@code version}, {@code state}
 * ({@code installed}, {@code resolved}, {@code active}, {@code quarantined}...) and, while something is wrong, {@code problem} (why it
 * does not resolve or did not start, or which of its components waits for a service, as of the last bundle event).
 * Retained, QoS 0, like the rest of the {@code $SYS} tree; published when a
 * value changes (a bundle event), not at the kernel's {@code sysInterval}; an uninstalled plugin's topics are
 * cleared (an empty retained message), and so are all of them when this component stops.
 */
@Component(service = {}, immediate = true)
public final class SysPlugins implements BundleListener {

    static final String PREFIX = "$SYS/broker/plugins/";

    private final Broker broker;
    private final BundleContext context;
    private final PluginInventory inventory;
    private final Map<String, String> published = new HashMap<>();

    @Activate
    public SysPlugins(@Reference Broker broker, BundleContext context) {
        this.broker = broker;
        this.context = context;
        this.inventory = new PluginInventory(context).broker(broker);
        context.addBundleListener(this);
        refreshAll();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindComponents(ServiceComponentRuntime runtime) {
        inventory.components(runtime);
        refreshAll();
    }

    void unbindComponents(ServiceComponentRuntime runtime) {
        inventory.components(null);
    }

    @Deactivate
    synchronized void deactivate() {
        try {
            context.removeBundleListener(this);
        } catch (IllegalStateException stopping) {
            // the listener goes with the bundle
        }
        inventory.close();
        for (String topic : published.keySet()) {
            clear(topic);
        }
        published.clear();
    }

    @Override
    public synchronized void bundleChanged(BundleEvent event) {
        // a change of one bundle can change another's problem (it now offers what the other was missing)
        refreshAll();
    }

    private synchronized void refreshAll() {
        Map<String, String> now = new HashMap<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() == Bundle.UNINSTALLED || !inventory.isPlugin(bundle)
                    || bundle.getSymbolicName() == null) {
                continue;
            }
            PluginInventory.Plugin plugin = inventory.describe(bundle);
            String base = PREFIX + plugin.symbolicName() + "/";
            now.put(base + "version", plugin.version());
            now.put(base + "state", plugin.state());
            if (!plugin.problem().isEmpty()) {
                now.put(base + "problem", plugin.problem());
            }
        }
        for (Map.Entry<String, String> value : now.entrySet()) {
            if (!value.getValue().equals(published.get(value.getKey()))) {
                broker.publish(Message.of(value.getKey(), value.getValue().getBytes(StandardCharsets.UTF_8),
                        QoS.AT_MOST_ONCE, true));
            }
        }
        for (String topic : published.keySet()) {
            if (!now.containsKey(topic)) {
                clear(topic);
            }
        }
        published.clear();
        published.putAll(now);
    }

    private void clear(String topic) {
        broker.publish(Message.of(topic, new byte[0], QoS.AT_MOST_ONCE, true));
    }
}
