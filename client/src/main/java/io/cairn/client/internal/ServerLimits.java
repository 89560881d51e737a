package io.cairn.client.internal;

import io.cairn.client.ConnAckProperties;
import io.cairn.client.Qos;
import io.cairn.client.Subscription;
import java.util.List;

/**
 * The checks an MQTT 5 client makes against the limits and features its server announced in CONNACK (MQTT 5.0
 * §3.2.2.3), before it sends anything: each returns why a packet must not go out, or {@code null}. Stateless.
 */
final class ServerLimits {

    private ServerLimits() {
    }

    /**
     * Why {@code server} forbids {@code p}: a QoS above Maximum QoS (MQTT-3.2.2-11), retain when Retain
     * Available is 0 (MQTT-3.2.2-14), a packet larger than Maximum Packet Size (MQTT-3.2.2-15).
     */
    static String publish(ConnAckProperties server, OutgoingPublish p) {
        if (p.qos.value() > server.maximumQos().value()) {
            return "cannot publish to " + p.topic + " with QoS " + p.qos.value() + ": the server's Maximum QoS is "
                    + server.maximumQos().value() + " (MQTT-3.2.2-11)";
        }
        if (p.retain && !server.retainAvailable()) {
            return "cannot publish to " + p.topic + " with retain: the server does not support retained messages "
                    + "(MQTT-3.2.2-14)";
        }
        if (server.maximumPacketSize().isPresent()) {
            long size = Properties5.publishSize(Topics.utf8Length(p.topic), p.qos != Qos.AT_MOST_ONCE,
                    Properties5.length(p.properties), p.payload.remaining());
            if (size > server.maximumPacketSize().getAsLong()) {
                return "cannot publish to " + p.topic + ": the PUBLISH would be " + size + " bytes, more than the "
                        + "server's Maximum Packet Size of " + server.maximumPacketSize().getAsLong()
                        + " (MQTT-3.2.2-15)";
            }
        }
        return null;
    }

    /**
     * Why {@code server} forbids a SUBSCRIBE: a Subscription Identifier, a wildcard or a shared subscription it
     * said it does not support (MQTT 5.0 §3.2.2.3.11 to .13), or a packet larger than its Maximum Packet Size
     * (MQTT-3.2.2-15).
     */
    static String subscribe(ConnAckProperties server, List<Subscription> subscriptions, int subscriptionId) {
        if (subscriptionId != 0 && !server.subscriptionIdentifiersAvailable()) {
            return "the server does not support Subscription Identifiers";
        }
        long remaining = 2 + (subscriptionId == 0 ? 1 : 2 + Properties5.varIntLength(subscriptionId));
        for (Subscription sub : subscriptions) {
            String f = sub.filter();
            if (!server.sharedSubscriptionAvailable() && f.startsWith("$share/")) {
                return "the server does not support shared subscriptions: " + f;
            }
            if (!server.wildcardSubscriptionAvailable() && (f.indexOf('+') >= 0 || f.indexOf('#') >= 0)) {
                return "the server does not support wildcard subscriptions: " + f;
            }
            remaining += 3 + Topics.utf8Length(f);
        }
        return sizeViolation(server, "SUBSCRIBE", remaining);
    }

    /** Why {@code server} forbids an UNSUBSCRIBE: a packet larger than its Maximum Packet Size (MQTT-3.2.2-15). */
    static String unsubscribe(ConnAckProperties server, List<String> filters) {
        long remaining = 3;
        for (String f : filters) {
            remaining += 2 + Topics.utf8Length(f);
        }
        return sizeViolation(server, "UNSUBSCRIBE", remaining);
    }

    private static String sizeViolation(ConnAckProperties server, String packet, long remaining) {
        if (server.maximumPacketSize().isEmpty()) {
            return null;
        }
        long size = 1 + (remaining > 268_435_455L ? 5 : Properties5.varIntLength((int) remaining)) + remaining;
        if (size > server.maximumPacketSize().getAsLong()) {
            return "the " + packet + " would be " + size + " bytes, more than the server's Maximum Packet Size of "
                    + server.maximumPacketSize().getAsLong() + " (MQTT-3.2.2-15)";
        }
        return null;
    }
}
