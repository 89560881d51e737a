package io.cairn.persistence.file.internal;

import io.cairn.persistence.file.FileStoreSettings;
import io.cairn.persistence.file.FileStoreSettings.Durability;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The file store's configuration, read from raw Configuration Admin properties: every value checked, a bad one
 * reported with its key.
 *
 * @param settings the store settings
 * @param ranking  the {@code service.ranking} of the registered services
 */
public record FileStoreConfig(FileStoreSettings settings, int ranking) {

    /** The configuration PID. */
    public static final String PID = "io.cairn.persistence.file";
    static final String DEFAULT_DIRECTORY = "data/store";
    static final int DEFAULT_RANKING = 10;
    static final Set<String> KEYS = Set.of("directory", "durability", "fsyncIntervalMillis", "segmentBytes",
            "compactionThreshold", "service.ranking");

    /** Thrown for a bad value: names the key. */
    public static final class InvalidKey extends IllegalArgumentException {
        private final String key;

        InvalidKey(String key, String problem) {
            super(key + ": " + problem);
            this.key = key;
        }

        /** The key whose value is bad. */
        public String key() {
            return key;
        }
    }

    /**
     * Reads the configuration; a relative {@code directory} is resolved against {@code home}.
     *
     * @throws InvalidKey naming the first key whose value is invalid, and why
     */
    public static FileStoreConfig from(Map<String, ?> properties, Path home) {
        Path directory;
        Object dir = properties.get("directory");
        String text = dir == null ? DEFAULT_DIRECTORY : dir.toString().strip();
        if (text.isEmpty()) {
            throw new InvalidKey("directory", "must not be empty");
        }
        try {
            directory = home.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new InvalidKey("directory", "not a valid path: " + e.getMessage());
        }
        Durability durability = Durability.SYNC;
        Object d = properties.get("durability");
        if (d != null) {
            String value = d.toString().strip().toLowerCase(Locale.ROOT);
            durability = switch (value) {
                case "sync" -> Durability.SYNC;
                case "periodic" -> Durability.PERIODIC;
                default -> throw new InvalidKey("durability", "unknown value '" + d + "' (sync or periodic)");
            };
        }
        long interval = number(properties, "fsyncIntervalMillis", 1000, 1, Long.MAX_VALUE);
        long segmentBytes = number(properties, "segmentBytes", 64L << 20, FileStoreSettings.MIN_SEGMENT_BYTES,
                Long.MAX_VALUE);
        double threshold = 0.5;
        Object t = properties.get("compactionThreshold");
        if (t != null) {
            try {
                threshold = t instanceof Number n ? n.doubleValue() : Double.parseDouble(t.toString().strip());
            } catch (NumberFormatException e) {
                throw new InvalidKey("compactionThreshold", "not a number: '" + t + "'");
            }
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new InvalidKey("compactionThreshold", "must be between 0 and 1, not " + t);
            }
        }
        long ranking = number(properties, "service.ranking", DEFAULT_RANKING, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new FileStoreConfig(new FileStoreSettings(directory, durability, interval, segmentBytes, threshold),
                (int) ranking);
    }

    private static long number(Map<String, ?> properties, String key, long fallback, long min, long max) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        long n;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            n = ((Number) value).longValue();
        } else {
            try {
                n = Long.parseLong(value.toString().strip());
            } catch (NumberFormatException e) {
                throw new InvalidKey(key, "not a whole number: '" + value + "'");
            }
        }
        if (n < min || n > max) {
            throw new InvalidKey(key, n < 0 && min >= 0 ? "must not be negative, not " + n
                    : "must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    /** The keys this component does not know, framework keys ({@code service.}, {@code component.}, ...) aside. */
    public static List<String> unknownKeys(Map<String, ?> properties) {
        List<String> unknown = new ArrayList<>();
        for (String key : properties.keySet()) {
            if (!KEYS.contains(key) && !key.startsWith("service.") && !key.startsWith("component.")
                    && !key.startsWith("felix.") && !key.startsWith("osgi.")) {
                unknown.add(key);
            }
        }
        unknown.sort(null);
        return unknown;
    }

    /** Where the configuration came from: the file FileInstall read it from, else the PID. */
    public static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file == null) {
            return PID;
        }
        String location = file.toString();
        if (location.startsWith("file:")) {
            try {
                return Path.of(java.net.URI.create(location)).toString();
            } catch (IllegalArgumentException e) {
                return location;
            }
        }
        return location;
    }
}
