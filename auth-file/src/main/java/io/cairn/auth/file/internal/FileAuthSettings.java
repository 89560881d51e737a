package io.cairn.auth.file.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated settings of one {@code io.cairn.auth.file} configuration, read from the raw properties so that a
 * value such as {@code reloadIntervalMillis = often} is an error naming the key, not a silent default. An unknown
 * key is an error too: a misspelt {@code aclFile} must not leave a broker without its ACL.
 *
 * @param name               the providers' {@code name} service property
 * @param passwordFile       the password file, absolute, or null
 * @param aclFile            the ACL file, absolute, or null
 * @param ranking            the providers' {@code service.ranking}
 * @param reloadIntervalMillis how often the files are checked for changes, 0: never
 * @param timeoutMillis      how long a client waits for an expensive password check
 * @param cacheSize          how many successful password checks are remembered
 * @param verifyThreads      how many threads check expensive passwords
 * @param rejectUnknownUsers whether user names the password file lacks are refused rather than deferred
 */
record FileAuthSettings(String name, Path passwordFile, Path aclFile, int ranking, long reloadIntervalMillis,
                        long timeoutMillis, int cacheSize, int verifyThreads, boolean rejectUnknownUsers) {

    static final String PID = "io.cairn.auth.file";

    private static final Set<String> KEYS = Set.of("name", "passwordFile", "aclFile", "service.ranking",
            "reloadIntervalMillis", "timeoutMillis", "cacheSize", "verifyThreads", "rejectUnknownUsers");

    /** The keys that are neither settings nor framework properties. */
    static List<String> unknownKeys(Map<String, ?> properties) {
        return properties.keySet().stream()
                .filter(k -> !KEYS.contains(k))
                .filter(k -> !k.startsWith("service.") && !k.startsWith("component.") && !k.startsWith("felix.")
                        && !k.startsWith("osgi.") && !k.equals("objectClass"))
                .sorted()
                .toList();
    }

    /**
     * Reads the settings.
     *
     * @param home the directory relative file names resolve against
     * @throws IllegalArgumentException naming the first key whose value is invalid (or that is unknown), and why
     */
    static FileAuthSettings from(Map<String, ?> properties, Path home) {
        List<String> unknown = unknownKeys(properties);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown key " + unknown.get(0) + " (known: name, passwordFile, "
                    + "aclFile, service.ranking, reloadIntervalMillis, timeoutMillis, cacheSize, verifyThreads, "
                    + "rejectUnknownUsers)");
        }
        String name = text(properties, "name");
        if (name == null) {
            name = factoryName(properties);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key name is missing and the configuration's file or PID does not "
                    + "give one");
        }
        Path passwordFile = path(properties, "passwordFile", home);
        Path aclFile = path(properties, "aclFile", home);
        if (passwordFile == null && aclFile == null) {
            throw new IllegalArgumentException("key passwordFile or aclFile: at least one must be given");
        }
        int ranking = (int) whole(properties, "service.ranking", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        long reload = whole(properties, "reloadIntervalMillis", 1000, 0, 3_600_000);
        if (reload > 0 && reload < 100) {
            throw invalid("reloadIntervalMillis", properties.get("reloadIntervalMillis"),
                    "must be 0 (no reloading) or at least 100");
        }
        long timeout = whole(properties, "timeoutMillis", 5000, 1, 600_000);
        int cache = (int) whole(properties, "cacheSize", 1024, 0, 1_000_000);
        int threads = (int) whole(properties, "verifyThreads", 2, 1, 64);
        boolean reject = bool(properties, "rejectUnknownUsers", false);
        return new FileAuthSettings(name.strip(), passwordFile, aclFile, ranking, reload, timeout, cache, threads,
                reject);
    }

    private static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(key, value, "is not a string");
        }
        return s.strip();
    }

    private static Path path(Map<String, ?> properties, String key, Path home) {
        String value = text(properties, key);
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw invalid(key, value, "is empty");
        }
        try {
            return home.resolve(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid(key, value, "is not a file name: " + e.getReason());
        }
    }

    private static long whole(Map<String, ?> properties, String key, long fallback, long min, long max) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        long l;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            l = ((Number) value).longValue();
        } else {
            try {
                l = Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                throw invalid(key, value, "is not a whole number");
            }
        }
        if (l < min || l > max) {
            throw invalid(key, value, "is outside " + min + ".." + max);
        }
        return l;
    }

    private static boolean bool(Map<String, ?> properties, String key, boolean fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(key, value, "is not true or false");
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key " + key + " = '" + value + "' " + why);
    }

    /**
     * The name of a factory configuration: {@code main} for {@code io.cairn.auth.file~main} or for the file
     * {@code io.cairn.auth.file-main.cfg}; {@code null} when neither tells.
     */
    static String factoryName(Map<String, ?> properties) {
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && s.startsWith(PID + '~')) {
            return s.substring(PID.length() + 1);
        }
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String location = file.toString();
            String fileName = location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
            String prefix = PID + '-';
            if (fileName.startsWith(prefix) && fileName.endsWith(".cfg") && fileName.length() > prefix.length() + 4) {
                return fileName.substring(prefix.length(), fileName.length() - 4);
            }
        }
        return null;
    }

    /** The configuration file as a path when FileInstall created the configuration, else its PID. */
    static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
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
        Object pid = properties.get("service.pid");
        return pid == null ? PID : pid.toString();
    }
}
