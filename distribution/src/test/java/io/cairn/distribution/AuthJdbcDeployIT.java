package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC authentication plugin in a real Felix runtime, on its zero-setup default (an H2 file under
 * {@code data/auth/}): dropped into {@code deploy/} with a configuration file, it lets the database's users in on
 * a listener without anonymous access and applies their ACL rows; deleted, it leaves the listener refusing
 * everyone and none of its threads behind.
 */
class AuthJdbcDeployIT {

    private static final Duration HOT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Cairn cairn;

    @AfterEach
    void stop() throws Exception {
        if (cairn != null) {
            assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
        }
    }

    @Test
    @DisplayName("auth-jdbc dropped into deploy/ authenticates and authorizes from its H2 database; removed, it "
            + "leaves the listener closed and no thread behind")
    void hotDeployedJdbcAuthentication() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int open = Runtimes.freePort();
        Runtimes.setDefaultPort(home, open);
        // the local listener stays out of the database's authorization: it watches what the sensors may publish
        Files.writeString(home.resolve("etc/io.cairn.transport.tcp-default.cfg"), "authorizers = none\n",
                java.nio.file.StandardOpenOption.APPEND);
        int secure = Runtimes.freePort();
        Files.writeString(home.resolve("etc/io.cairn.transport.tcp-secure.cfg"),
                "host = 127.0.0.1\nport = " + secure + "\nauthenticators = devices\nauthorizers = devices\n");
        writeUsers(home, hash(home, "sensor-1", "s3cret"));

        cairn = Main.launch(home, java.util.Map.of());
        cairn.awaitStartup(Duration.ofSeconds(90));
        await("secure listener open").atMost(HOT).until(() -> Runtimes.isOpen(secure));
        assertThat(refusal(secure, "early", "sensor-1", "s3cret")).isEqualTo(5);

        Files.writeString(home.resolve("etc/io.cairn.auth.jdbc-devices.cfg"), "cacheTtlSeconds = 60\n");
        Files.copy(Runtimes.jar(home.resolve("plugins"), "cairn-auth-jdbc-"),
                home.resolve("deploy/cairn-auth-jdbc.jar"));
        await("sensor-1 let in from the database").atMost(HOT)
                .until(() -> refusal(secure, "sensor-1", "sensor-1", "s3cret") == 0);
        assertThat(refusal(secure, "wrong", "sensor-1", "guess")).isEqualTo(4);
        assertThat(refusal(secure, "anonymous", null, null)).isEqualTo(5);

        // its ACL rows: it may write under its own subtree only
        try (PahoClient watcher = new PahoClient(open, "watcher");
             PahoClient sensor = new PahoClient(secure, "sensor-1")) {
            watcher.connect(true);
            watcher.subscribe("devices/#", 1);
            assertThat(sensor.tryConnect("sensor-1", "s3cret")).isZero();
            sensor.publish("devices/sensor-2/temperature", "spoofed", 1);
            sensor.publish("devices/sensor-1/temperature", "21.5", 1);
            assertThat(watcher.next(10)).isEqualTo(new PahoClient.Received("devices/sensor-1/temperature", "21.5", 1));
            sensor.disconnect();
            watcher.disconnect();
        }

        Files.delete(home.resolve("deploy/cairn-auth-jdbc.jar"));
        await("auth-jdbc uninstalled").atMost(HOT).until(() -> Arrays.stream(
                cairn.framework().getBundleContext().getBundles())
                .noneMatch(b -> "io.cairn.auth.jdbc".equals(b.getSymbolicName())));
        assertThat(refusal(secure, "after", "sensor-1", "s3cret")).isEqualTo(5);
        await("no thread of the plugin left").atMost(HOT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("cairn-auth-jdbc-")));
        assertThat(cairn.bundleProblems()).isEmpty();
    }

    /** The database the plugin opens by default, made before the broker starts, with one user and its ACL. */
    private static void writeUsers(Path home, String passwordHash) throws Exception {
        Path dir = Files.createDirectories(home.resolve("data/auth"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("auth"));
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cairn_users (username VARCHAR(65535) NOT NULL PRIMARY KEY, "
                    + "password_hash VARCHAR(1024) NOT NULL, superuser BOOLEAN DEFAULT FALSE NOT NULL)");
            s.execute("CREATE TABLE cairn_acls (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                    + "username VARCHAR(65535), topic_filter VARCHAR(65535) NOT NULL, access VARCHAR(9) NOT NULL)");
            try (PreparedStatement user = c.prepareStatement("INSERT INTO cairn_users VALUES (?, ?, FALSE)")) {
                user.setString(1, "sensor-1");
                user.setString(2, passwordHash);
                user.executeUpdate();
            }
            s.execute("INSERT INTO cairn_acls (username, topic_filter, access) VALUES "
                    + "('sensor-1', 'devices/%u/#', 'readwrite')");
        }
    }

    /** A Mosquitto-style $7$ hash of {@code password}, from the distribution's bin/cairn-passwd. */
    private static String hash(Path home, String user, String password) throws Exception {
        Path file = Files.createTempFile("passwd", "");
        Process p = new ProcessBuilder(home.resolve("bin/cairn-passwd").toString(), "-c", "-b", file.toString(), user,
                password).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("cairn-passwd: " + output).isTrue();
        String line = Files.readString(file).strip();
        Files.delete(file);
        return line.substring(line.indexOf(':') + 1);
    }

    private static int refusal(int port, String clientId, String username, String password) throws Exception {
        try (PahoClient c = new PahoClient(port, clientId)) {
            int code = c.tryConnect(username, password);
            if (code == 0) {
                c.disconnect();
            }
            return code;
        }
    }
}
