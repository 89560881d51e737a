package io.cairn.bridge.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one bridge: one {@code etc/io.cairn.bridge-<name>.cfg} file. Describes the keys for
 * metatype; {@link BridgeComponent} reads and validates the raw properties ({@link io.cairn.bridge.BridgeSettings});
 * mappings are keys {@code topic.1}, {@code topic.2}, ... (docs/bridge.md).
 */
@ObjectClassDefinition(name = "Cairn MQTT bridge",
        description = "A link to an upstream MQTT broker that forwards messages by topic mappings.")
public @interface BridgeConfiguration {

    @AttributeDefinition(name = "Name", required = false,
            description = "The bridge's name (default: the <name> of the file); its local session is $bridge/<name>.")
    String name();

    @AttributeDefinition(name = "Address", description = "The remote broker: host[:port] (port 1883, 8883 with TLS).")
    String address();

    @AttributeDefinition(name = "Protocol", required = false, description = "mqttv5 (default) or mqttv311.")
    String protocol() default "mqttv5";

    @AttributeDefinition(name = "Client identifier", required = false,
            description = "At the remote (default: cairn-bridge-<name>).")
    String clientId();

    @AttributeDefinition(name = "User name", required = false)
    String username();

    @AttributeDefinition(name = "Password", required = false, type = AttributeType.PASSWORD)
    String password();

    @AttributeDefinition(name = "Keep-alive (s)", min = "0", max = "65535")
    int keepAlive() default 60;

    @AttributeDefinition(name = "Clean session",
            description = "Start a clean remote session each time; false keeps QoS 1/2 state across reconnects.")
    boolean cleanSession() default false;

    @AttributeDefinition(name = "Session expiry (s)", description = "MQTT 5: how long the remote keeps the session.")
    long sessionExpiry() default 86_400;

    @AttributeDefinition(name = "TLS", required = false, description = "TLS to the remote (implied by tls.* keys).")
    boolean tls() default false;

    @AttributeDefinition(name = "Maximum in flight", min = "1", max = "65535",
            description = "Unacknowledged QoS 1/2 messages each way.")
    int maxInflight() default 1000;

    @AttributeDefinition(name = "Reconnect delay, first (ms)", min = "10")
    long reconnectMinMillis() default 1000;

    @AttributeDefinition(name = "Reconnect delay, longest (ms)", min = "10")
    long reconnectMaxMillis() default 60_000;
}
