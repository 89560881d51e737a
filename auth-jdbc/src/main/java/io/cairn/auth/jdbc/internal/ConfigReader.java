package io.cairn.auth.jdbc.internal;

import io.cairn.auth.jdbc.JdbcAuthSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Reads a {@code io.cairn.auth.jdbc} configuration from its raw properties, with an error that names the key and
 * the value for anything that is not a number, out of range, or not a JDBC URL this bundle has a driver for.
 * Declarative Services would turn {@code poolSize = four} into the default without a word, which is why the
 * component reads the raw properties (as the kernel does).
 */
final class ConfigReader {

    /** The factory configuration PID. */
    static final String PID = "io.cairn.auth.jdbc";

    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";
    private static final Set<String> KEYS = Set.of("name", "service.ranking", "url", "user", "password",
            "dataSource.target", "poolSize", "userQuery", "aclQuery", "cacheTtlSeconds", "queryTimeoutSeconds",
            "connectTimeoutMillis", "initSchema");

    /**
     * A configuration as read.
     *
     * @param settings         what the instance runs with
     * @param ranking          its service.ranking
     * @param dataSourceTarget the LDAP filter of the DataSource service to use, or null for a pool of its own
     */
    record Config(JdbcAuthSettings settings, int ranking, String dataSourceTarget) {
    }

    private ConfigReader() {
    }

    /** The keys that are neither settings nor framework properties: most likely misspelt settings. */
    static List<String> unknownKeys(Map<String, ?> properties) {
        return properties.keySet().stream()
                .filter(k -> !KEYS.contains(k))
                .filter(k -> !k.startsWith("service.") && !k.startsWith("component.") && !k.startsWith("felix.")
                        && !k.startsWith("osgi.") && !k.startsWith("objectClass") && !k.startsWith("dataSource."))
                .sorted()
                .toList();
    }

    /**
     * The configuration the properties describe; absent keys keep their defaults.
     *
     * @throws IllegalArgumentException naming the first key whose value is invalid, and why
     */
    static Config read(Map<String, ?> properties) {
        String name = text(properties, "name");
        if (name == null) {
            name = factoryName(properties);
        }
        if (name == null) {
            name = "jdbc";
        }
        JdbcAuthSettings.Builder b = JdbcAuthSettings.builder(name);
        String url = text(properties, "url");
        if (url != null) {
            try {
                ConnectionPool.driverClass(url);
            } catch (IllegalArgumentException e) {
                throw invalid("url", url.split("[?;]", 2)[0], "is neither jdbc:h2:... nor jdbc:postgresql:...");
            }
            b.url(url);
        }
        b.user(text(properties, "user"));
        b.password(text(properties, "password"));
        whole(properties, "poolSize", 1, 1000, b::poolSize);
        String userQuery = text(properties, "userQuery");
        if (userQuery != null) {
            b.userQuery(query("userQuery", userQuery));
        }
        String aclQuery = text(properties, "aclQuery");
        if (aclQuery != null) {
            b.aclQuery(query("aclQuery", aclQuery));
        }
        whole(properties, "cacheTtlSeconds", 1, Integer.MAX_VALUE, s -> b.cacheTtl(Duration.ofSeconds(s)));
        whole(properties, "queryTimeoutSeconds", 1, Integer.MAX_VALUE, s -> b.queryTimeout(Duration.ofSeconds(s)));
        whole(properties, "connectTimeoutMillis", 1, Integer.MAX_VALUE, m -> b.connectTimeout(Duration.ofMillis(m)));
        Object init = properties.get("initSchema");
        if (init != null) {
            b.initSchema(bool("initSchema", init));
        }
        int[] ranking = {0};
        whole(properties, "service.ranking", Integer.MIN_VALUE, Integer.MAX_VALUE, r -> ranking[0] = r);
        String target = text(properties, "dataSource.target");
        if (JdbcAuthComponent.NO_DATA_SOURCE.equals(target)) {
            // Declarative Services puts the reference's default target into the component's properties: not set
            target = null;
        }
        if (target != null && !(target.startsWith("(") && target.endsWith(")"))) {
            throw invalid("dataSource.target", target, "is not an LDAP filter such as (dataSourceName=auth)");
        }
        try {
            return new Config(b.build(), ranking[0], target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key " + e.getMessage(), e);
        }
    }

    private static String query(String key, String sql) {
        if (sql.indexOf('?') < 0) {
            throw invalid(key, sql, "has no ? for the user name");
        }
        return sql;
    }

    private static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        String s = value.toString().strip();
        return s.isEmpty() ? null : s;
    }

    private static boolean bool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        return switch (value.toString().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, value, "is neither true nor false");
        };
    }

    private static void whole(Map<String, ?> properties, String key, int min, int max, IntConsumer setter) {
        Object value = properties.get(key);
        if (value == null) {
            return;
        }
        long l;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            l = ((Number) value).longValue();
        } else {
            try {
                l = Long.parseLong(value.toString().strip());
            } catch (NumberFormatException e) {
                throw invalid(key, value, "is not a whole number");
            }
        }
        if (l < min || l > max) {
            throw invalid(key, value, max == Integer.MAX_VALUE ? "must be at least " + min
                    : "is outside " + min + ".." + max);
        }
        setter.accept((int) l);
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key " + key + " = '" + value + "' " + why);
    }

    /**
     * The name of a factory configuration: {@code auth} for {@code io.cairn.auth.jdbc~auth} or for the file
     * {@code io.cairn.auth.jdbc-auth.cfg}; null when neither tells.
     */
    static String factoryName(Map<String, ?> properties) {
        Object pid = properties.get("service.pid");
        if (pid instanceof String s && s.startsWith(PID + '~')) {
            return s.substring(PID.length() + 1);
        }
        Object file = properties.get(FILEINSTALL_FILENAME);
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
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            String location = file.toString();
            if (location.startsWith("file:")) {
                try {
                    return Path.of(URI.create(location)).toString();
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
