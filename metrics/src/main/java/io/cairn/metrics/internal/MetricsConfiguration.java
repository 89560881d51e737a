package io.cairn.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The keys of {@code etc/io.cairn.metrics.cfg}, for metatype; {@link MetricsComponent} reads and checks the raw
 * properties ({@link MetricsSettings}). Without the file the endpoint runs with these defaults.
 */
@ObjectClassDefinition(name = "Cairn metrics endpoint",
        description = "Serves the broker's figures in the Prometheus text format over HTTP.")
public @interface MetricsConfiguration {

    @AttributeDefinition(name = "Host", description = "Address to bind; 0.0.0.0 offers the figures to every network.")
    String host() default MetricsSettings.DEFAULT_HOST;

    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port; 0 takes any free port.")
    int port() default MetricsSettings.DEFAULT_PORT;

    @AttributeDefinition(name = "Path", description = "URL path of the metrics.")
    String path() default MetricsSettings.DEFAULT_PATH;
}
