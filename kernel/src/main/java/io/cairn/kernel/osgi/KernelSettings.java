package io.cairn.kernel.osgi;

import io.cairn.kernel.embedded.BrokerSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;

/**
 * Reads {@link BrokerSettings} from the kernel's configuration properties, with an error that names the key and
 * the value for anything that is not a number or out of range. Declarative Services would turn a value such as
 * {@code maxInflight = ten} into a default without a word, which is why the kernel reads the raw properties.
 */
final class KernelSettings {

    private static final Set<String> KEYS = Set.of("maxPacketSize", "maxInflight", "maxQueuedMessages",
            "bridgeMaxQueuedMessages", "sysInterval", "interceptorErrorBudget", "maxTopicLength", "maxTopicLevels",
            "maxClientIdLength", "keepAliveGrace", "connectTimeoutSeconds",
            "ioThreads", "maxConnections", "receiveMaximum", "topicAliasMaximum", "maxKeepAlive", "responseInformation",
            "revokedSubscriptions", "persistence");

    private KernelSettings() {
    }

    /** The keys that are neither settings nor framework properties: most likely misspelt settings. */
    static List<String> unknownKeys(Map<String, ?> properties) {
        return properties.keySet().stream()
                .filter(k -> !KEYS.contains(k))
                .filter(k -> !k.startsWith("service.") && !k.startsWith("component.") && !k.startsWith("felix.")
                        && !k.startsWith("osgi.") && !k.startsWith("objectClass"))
                .sorted()
                .toList();
    }

    /**
     * The settings the properties describe; keys that are absent keep their defaults.
     *
     * @throws IllegalArgumentException naming the first key whose value is invalid, and why
     */
    static BrokerSettings from(Map<String, ?> properties) {
        BrokerSettings.Builder b = BrokerSettings.builder();
        whole(properties, "maxPacketSize", b::maxPacketSize);
        whole(properties, "maxInflight", b::maxInflight);
        whole(properties, "maxQueuedMessages", b::maxQueuedMessages);
        whole(properties, "bridgeMaxQueuedMessages", b::bridgeMaxQueuedMessages);
        whole(properties, "sysInterval", b::sysIntervalSeconds);
        whole(properties, "interceptorErrorBudget", b::interceptorErrorBudget);
        whole(properties, "maxTopicLength", b::maxTopicLength);
        whole(properties, "maxTopicLevels", b::maxTopicLevels);
        whole(properties, "maxClientIdLength", b::maxClientIdLength);
        decimal(properties, "keepAliveGrace", b::keepAliveGrace);
        whole(properties, "connectTimeoutSeconds", b::connectTimeoutSeconds);
        whole(properties, "ioThreads", b::ioThreads);
        whole(properties, "maxConnections", b::maxConnections);
        whole(properties, "receiveMaximum", b::receiveMaximum);
        whole(properties, "topicAliasMaximum", b::topicAliasMaximum);
        whole(properties, "maxKeepAlive", b::maxKeepAlive);
        Object response = properties.get("responseInformation");
        if (response != null) {
            b.responseInformation(response.toString().trim());
        }
        Object revoked = properties.get("revokedSubscriptions");
        if (revoked != null) {
            switch (revoked.toString().trim()) {
                case "unsubscribe" -> b.disconnectRevoked(false);
                case "disconnect" -> b.disconnectRevoked(true);
                default -> throw invalid("revokedSubscriptions", revoked, "is neither 'unsubscribe' nor 'disconnect'");
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key " + e.getMessage(), e);
        }
    }

    private static void whole(Map<String, ?> properties, String key, IntConsumer setter) {
        Object value = properties.get(key);
        if (value == null) {
            return;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long l = ((Number) value).longValue();
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw invalid(key, value, "is out of range");
            }
            setter.accept((int) l);
            return;
        }
        try {
            setter.accept(Integer.parseInt(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw invalid(key, value, "is not a whole number");
        }
    }

    private static void decimal(Map<String, ?> properties, String key, DoubleConsumer setter) {
        Object value = properties.get(key);
        if (value == null) {
            return;
        }
        if (value instanceof Number n) {
            setter.accept(n.doubleValue());
            return;
        }
        try {
            setter.accept(Double.parseDouble(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw invalid(key, value, "is not a number");
        }
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key " + key + " = '" + value + "' " + why);
    }
}
