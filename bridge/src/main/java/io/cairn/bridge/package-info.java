/**
 * MQTT bridges: a link between this broker and an upstream MQTT broker (MQTT 3.1.1 or 5, over TCP or TLS) that
 * forwards messages by topic mappings in either or both directions. The bundle runs one {@link
 * io.cairn.bridge.MqttBridge} per {@code etc/io.cairn.bridge-<name>.cfg} file; library users start one with
 * {@link io.cairn.bridge.MqttBridge#start}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.bridge;
