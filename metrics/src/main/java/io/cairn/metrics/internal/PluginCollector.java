package io.cairn.metrics.internal;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Cairn's bundles (symbolic name {@code io.cairn.*}: the API, the kernel and every plugin) as the framework sees
 * them at each scrape: version and state, whether it runs, and how many services it offers (a plugin whose
 * component did not start, for example for a bad configuration, offers none).
 */
final class PluginCollector implements MultiCollector {

    private static final String PREFIX = "io.cairn.";

    private final BundleContext context;

    PluginCollector(BundleContext context) {
        this.context = context;
    }

    @Override
    public MetricSnapshots collect() {
        InfoSnapshot.Builder info = InfoSnapshot.builder().name("cairn_plugin")
                .help("Each Cairn bundle installed: its version and OSGi state");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("cairn_plugin_up")
                .help("1 if the bundle is active (a fragment: resolved), 0 otherwise");
        GaugeSnapshot.Builder services = GaugeSnapshot.builder().name("cairn_plugin_services")
                .help("Services the bundle registered that are in the service registry now");
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name == null || !name.startsWith(PREFIX)) {
                continue;
            }
            int state = b.getState();
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            Labels plugin = Labels.of("plugin", name);
            info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("plugin", name, "version",
                    b.getVersion().toString(), "state", stateName(state))).build());
            up.dataPoint(GaugeDataPointSnapshot.builder().labels(plugin)
                    .value(state == Bundle.ACTIVE || fragment && state == Bundle.RESOLVED ? 1 : 0).build());
            ServiceReference<?>[] registered = registered(b);
            services.dataPoint(GaugeDataPointSnapshot.builder().labels(plugin)
                    .value(registered == null ? 0 : registered.length).build());
        }
        return MetricSnapshots.of(info.build(), up.build(), services.build());
    }

    private static ServiceReference<?>[] registered(Bundle b) {
        try {
            return b.getRegisteredServices();
        } catch (IllegalStateException e) {
            return null; // uninstalled meanwhile
        }
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> "unknown";
        };
    }
}
