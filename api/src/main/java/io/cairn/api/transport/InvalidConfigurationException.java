package io.cairn.api.transport;

import java.util.Objects;

/**
 * A listener configuration key whose value cannot be used, for example {@code key port = '18x3' is not a number}.
 * Since 1.2.
 */
public final class InvalidConfigurationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    /**
     * @param key     the configuration key at fault
     * @param value   its value as configured, or {@code null} when it is missing
     * @param problem what is wrong with it, as a phrase that follows the value ({@code is not a number})
     */
    public InvalidConfigurationException(String key, Object value, String problem) {
        super("key " + key + (value == null ? "" : " = '" + value + "'") + ' ' + problem);
        this.key = Objects.requireNonNull(key, "key");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }

    /** What is wrong with its value. */
    public String problem() {
        return problem;
    }
}
