/**
 * Authentication and authorization from a SQL database: {@link io.cairn.auth.jdbc.JdbcAuth} is both an
 * {@link io.cairn.api.auth.Authenticator} (user names and password hashes) and an
 * {@link io.cairn.api.auth.Authorizer} (Mosquitto-style ACL rows, answered from memory), configured by
 * {@link io.cairn.auth.jdbc.JdbcAuthSettings}.
 *
 * <p>In OSGi, one instance runs per {@code etc/io.cairn.auth.jdbc-<name>.cfg} file; an embedded broker
 * constructs it directly. The bundle embeds its connection pool (HikariCP) and the H2 and PostgreSQL drivers,
 * and ships the schema scripts {@code schema/schema-h2.sql} and {@code schema/schema-postgresql.sql}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.auth.jdbc;
