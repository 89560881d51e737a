package io.cairn.api.message;

import java.util.Objects;

/**
 * One MQTT 5 user property: a name/value pair of UTF-8 strings; names may repeat within a message.
 *
 * @param name  the property name, never {@code null}
 * @param value the property value, never {@code null}
 */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
