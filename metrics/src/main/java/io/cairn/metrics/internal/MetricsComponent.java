package io.cairn.metrics.internal;

import io.cairn.api.broker.Broker;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import org.osgi.framework.BundleContext;
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
 * The Prometheus endpoint of the broker, configured by {@code etc/io.cairn.metrics.cfg} (PID
 * {@value MetricsSettings#PID}; without the file it listens on {@code http://127.0.0.1:9883/metrics}). Each scrape
 * reads the {@link Broker} service, the Cairn bundles and the JVM then; nothing is polled in between.
 *
 * <p>An invalid value is one ERROR line naming the file, the key and the problem: the endpoint does not start, or
 * a running one stays where it is, until the file is fixed. An address that cannot be bound is one ERROR line
 * too; the broker goes on either way.
 */
@Component(configurationPid = MetricsSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = MetricsConfiguration.class)
public final class MetricsComponent {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private MetricsSettings settings;
    private MetricsServer server;

    @Activate
    public MetricsComponent(@Reference Broker broker, BundleContext context, Map<String, Object> properties) {
        this(broker, (Object) context, properties);
    }

    /**
     * An endpoint for {@code broker}; {@code context} (a {@link BundleContext}, or {@code null} outside OSGi) adds
     * the figures of the Cairn bundles.
     */
    MetricsComponent(Broker broker, Object context, Map<String, ?> properties) {
        registry.register(new BrokerCollector(broker));
        if (context instanceof BundleContext bundles) {
            registry.register(new PluginCollector(bundles));
        }
        registerJvm(registry);
        apply(properties);
    }

    /**
     * The JVM figures of the Prometheus client, without the allocation counters: those add listeners to the
     * platform's garbage collector beans that outlive this bundle, and need {@code com.sun.management}, which the
     * framework does not export by default.
     */
    private static void registerJvm(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    synchronized void deactivate() {
        if (server != null) {
            String url = url(settings, server.address());
            server.close();
            server = null;
            LOG.info("Metrics endpoint on {} closed", url);
        }
    }

    /** Where the endpoint listens now, or {@code null} if it does not. */
    synchronized InetSocketAddress address() {
        return server == null ? null : server.address();
    }

    /** Checks the configuration and (re)binds the endpoint if its address or path changed. */
    synchronized void apply(Map<String, ?> properties) {
        String source = MetricsSettings.source(properties);
        MetricsSettings next;
        try {
            next = MetricsSettings.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid metrics configuration {}: {}; {}", source, e.getMessage(), server == null
                    ? "the metrics endpoint does not start until the file is fixed"
                    : "the metrics endpoint stays on " + url(settings, server.address()));
            return;
        }
        if (server != null && next.equals(settings)) {
            return;
        }
        if (server != null) {
            server.close(); // the same port may be asked for again: free it first
            server = null;
        }
        settings = next;
        try {
            server = MetricsServer.start(next, registry);
            LOG.info("Metrics endpoint open on {}", url(next, server.address()));
        } catch (IOException e) {
            LOG.error("Metrics endpoint cannot listen on {}:{} ({}): {}", next.host(), next.port(), source,
                    e.getMessage());
        }
    }

    private static String url(MetricsSettings s, InetSocketAddress bound) {
        String host = bound.getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + bound.getPort() + s.path();
    }
}
