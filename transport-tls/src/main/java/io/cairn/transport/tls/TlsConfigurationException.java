package io.cairn.transport.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A TLS setting that cannot be used: names the configuration key, the file it points to (when it is a file) and
 * the problem, for example {@code key certificateFile (/opt/cairn/etc/server.pem): certificate CN=broker expired
 * on 2026-01-01T00:00:00Z}.
 */
public final class TlsConfigurationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient Path file;
    private final String problem;

    /**
     * @param key     the configuration key at fault, such as {@code keyFile}
     * @param file    the file the key names, or {@code null} when the key is not a file
     * @param problem what is wrong, in words for an operator
     */
    public TlsConfigurationException(String key, Path file, String problem) {
        this(key, file, problem, null);
    }

    /**
     * @param key     the configuration key at fault, such as {@code keyFile}
     * @param file    the file the key names, or {@code null} when the key is not a file
     * @param problem what is wrong, in words for an operator
     * @param cause   the exception that revealed it, or {@code null}
     */
    public TlsConfigurationException(String key, Path file, String problem, Throwable cause) {
        super("key " + key + (file == null ? "" : " (" + file + ")") + ": " + problem, cause);
        this.key = Objects.requireNonNull(key, "key");
        this.file = file;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /**
     * A key whose value cannot be read, for example {@code key clientAuth = 'sometimes' is none of none, optional,
     * required}. Since 1.1.
     *
     * @param key     the configuration key at fault
     * @param value   its value as configured
     * @param problem what is wrong with it, as a phrase that follows the value
     */
    public static TlsConfigurationException invalidValue(String key, Object value, String problem) {
        return new TlsConfigurationException(key, "key " + key + " = '" + value + "' " + problem, problem);
    }

    private TlsConfigurationException(String key, String message, String problem) {
        super(message);
        this.key = Objects.requireNonNull(key, "key");
        this.file = null;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }

    /** The file the key names, or {@code null}. */
    public Path file() {
        return file;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }
}
