/**
 * Bridges: plugins that link the broker to other systems (upstream MQTT brokers, and others). The kernel provides
 * a {@link io.cairn.api.bridge.BridgeContext}: an in-process endpoint where a bridge connects as an MQTT client of
 * the local broker, with a persistent session the broker stores like any other (so messages for an unreachable
 * remote wait in the broker's persistence), and a place to report each bridge's activity, which the
 * {@link io.cairn.api.broker.Broker} service lists.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.api.bridge;
