package io.cairn.client;

import java.util.Objects;

/**
 * An MQTT 5 User Property: a name and a value, both UTF-8 strings (MQTT 5.0 §1.5.7). A packet may carry any number
 * of them, names may repeat, and their order is kept. Immutable.
 *
 * @param name  the name, not {@code null}
 * @param value the value, not {@code null}
 * @since 1.1.0
 */
public record UserProperty(String name, String value) {

    /**
     * A user property.
     *
     * @throws IllegalArgumentException if either string contains U+0000, is not valid UTF-16 or is longer than
     *                                  65535 UTF-8 bytes (MQTT-1.5.7-1)
     */
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        io.cairn.client.internal.Topics.requireMqttString(name, "user property name");
        io.cairn.client.internal.Topics.requireMqttString(value, "user property value");
    }

    /** A user property; the same as the constructor. */
    public static UserProperty of(String name, String value) {
        return new UserProperty(name, value);
    }

    @Override
    public String toString() {
        return name + "=" + value;
    }
}
