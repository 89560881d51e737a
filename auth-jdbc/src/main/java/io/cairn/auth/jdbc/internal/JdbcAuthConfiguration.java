package io.cairn.auth.jdbc.internal;

import io.cairn.auth.jdbc.JdbcAuthSettings;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one JDBC authenticator and authorizer: one {@code etc/io.cairn.auth.jdbc-<name>.cfg} file.
 * The component reads and checks the raw properties itself ({@link ConfigReader}); this type describes them to
 * the metatype service.
 */
@ObjectClassDefinition(name = "Cairn JDBC authentication",
        description = "Users, password hashes and ACL rows in a SQL database (H2 or PostgreSQL).")
public @interface JdbcAuthConfiguration {

    @AttributeDefinition(name = "Name", required = false,
            description = "The name listeners select it by (default: the <name> of the configuration file).")
    String name();

    @AttributeDefinition(name = "Ranking", required = false,
            description = "Order in the chains, highest first (service.ranking).")
    int service_ranking() default 0;

    @AttributeDefinition(name = "JDBC URL", required = false,
            description = "jdbc:h2:... or jdbc:postgresql:...; default an H2 file under ${cairn.home}/data/auth.")
    String url();

    @AttributeDefinition(name = "User", required = false, description = "Database user.")
    String user();

    @AttributeDefinition(name = "Password", required = false, type = AttributeType.PASSWORD,
            description = "Database password.")
    String password();

    @AttributeDefinition(name = "DataSource filter", required = false,
            description = "An LDAP filter selecting a javax.sql.DataSource service to use instead of a pool of our own.")
    String dataSource_target();

    @AttributeDefinition(name = "Pool size", min = "1",
            description = "Most database connections, and threads that query.")
    int poolSize() default 4;

    @AttributeDefinition(name = "User query", description = "Password hash (and superuser flag) of the user name ?.")
    String userQuery() default JdbcAuthSettings.DEFAULT_USER_QUERY;

    @AttributeDefinition(name = "ACL query", description = "Topic filter and access of the ACL rows of the user name ?.")
    String aclQuery() default JdbcAuthSettings.DEFAULT_ACL_QUERY;

    @AttributeDefinition(name = "Cache TTL (s)", min = "1", description = "Seconds before cached ACL rows are read again.")
    int cacheTtlSeconds() default 60;

    @AttributeDefinition(name = "Query timeout (s)", min = "1", description = "Seconds one query may run.")
    int queryTimeoutSeconds() default 5;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1",
            description = "How long a CONNECT waits for the database before Server unavailable.")
    int connectTimeoutMillis() default 3000;

    @AttributeDefinition(name = "Create tables", required = false,
            description = "Create missing tables with the bundled script (default: true for H2, false otherwise).")
    boolean initSchema();
}
