package io.cairn.auth.jdbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Creates the default tables from the script shipped in this bundle ({@code schema/schema-h2.sql} or
 * {@code schema/schema-postgresql.sql}) when they are missing.
 */
public final class Schema {

    private Schema() {
    }

    /**
     * Runs the script for the connection's database if {@code cairn_users} or {@code cairn_acls} cannot be read.
     *
     * @return whether the script ran
     * @throws SQLException if the probe's failure was not a missing table and the script fails too, or the
     *                      database is neither H2 nor PostgreSQL
     */
    public static boolean createIfMissing(Connection connection, int queryTimeoutSeconds) throws SQLException {
        if (tablesExist(connection, queryTimeoutSeconds)) {
            return false;
        }
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        String script;
        if (product.contains("h2")) {
            script = "schema-h2.sql";
        } else if (product.contains("postgres")) {
            script = "schema-postgresql.sql";
        } else {
            throw new SQLException("no schema script for database " + product + "; create the tables by hand");
        }
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            // PostgreSQL refuses every statement of a transaction after a failed one (the probe)
            connection.rollback();
        }
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            for (String sql : statements(script)) {
                statement.execute(sql);
            }
        } finally {
            if (!autoCommit) {
                connection.commit();
            }
        }
        return true;
    }

    private static boolean tablesExist(Connection connection, int queryTimeoutSeconds) {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            statement.executeQuery("SELECT username FROM cairn_users WHERE 1 = 0").close();
            statement.executeQuery("SELECT username FROM cairn_acls WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** The statements of a shipped script: comments dropped, split at the semicolons that end a line. */
    static List<String> statements(String script) {
        String text;
        try (InputStream in = Schema.class.getResourceAsStream("/schema/" + script)) {
            if (in == null) {
                throw new IllegalStateException("schema/" + script + " is missing from the bundle");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                statements.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }
}
