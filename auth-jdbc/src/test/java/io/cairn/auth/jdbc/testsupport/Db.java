package io.cairn.auth.jdbc.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Writes users and ACL rows into the default tables, through a connection of the test's own. */
public final class Db {

    private final DataSource dataSource;

    public Db(DataSource dataSource) {
        this.dataSource = dataSource;
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
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.executeUpdate();
        }
        return this;
    }
}
