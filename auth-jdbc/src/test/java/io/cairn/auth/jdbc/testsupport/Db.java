package io.cairn.auth.jdbc.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/** Writes users and ACL rows into the default tables, through a connection of the test's own. */
public final class Db {

    /** Opens a connection. */
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;

    public Db(DataSource dataSource) {
        this.connector = dataSource::getConnection;
    }

    /**
     * Connects with {@code driver} itself: a test's own connections must not depend on DriverManager, from which
     * another test may have deregistered the driver.
     */
    public Db(Driver driver, String url) {
        this.connector = () -> driver.connect(url, new Properties());
    }

    public Db user(String username, String hash, boolean superuser) throws SQLException {
        return update("INSERT INTO cairn_users (username, password_hash, superuser) VALUES (?, ?, ?)", username, hash,
                superuser);
    }

    public Db acl(String username, String filter, String access) throws SQLException {
        return update("INSERT INTO cairn_acls (username, topic_filter, access) VALUES (?, ?, ?)", username, filter,
                access);
    }

    public Db update(String sql, Object... parameters) throws SQLException {
        try (Connection c = connector.open(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.executeUpdate();
        }
        return this;
    }
}
