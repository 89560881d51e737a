package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Mosquitto's own command-line client, {@code mosquitto_pub}, sees from a broker secured by the file plugin:
 * refused credentials, and a publish to a topic the ACL does not allow. Runs the assembled runtime in an embedded
 * Felix. Without the Mosquitto clients on the PATH the tests are skipped, or fail when {@code CI} is set.
 */
class MosquittoAuthIT {

    private static final int CLIENT_SECONDS = 20;

    @TempDir
    static Path temp;

    private static Cairn cairn;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        if (new ProcessBuilder("sh", "-c", "command -v mosquitto_pub").start().waitFor() != 0) {
            String message = "mosquitto_pub not found on PATH: install it with 'apt-get install mosquitto-clients' "
                    + "(.ci/run does)";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        Path home = Runtimes.copy(temp.resolve("cairn"));
        Runtimes.setDefaultPort(home, Runtimes.freePort());
        port = Runtimes.freePort();
        Files.writeString(home.resolve("etc/io.cairn.transport.tcp-secure.cfg"),
                "host = 127.0.0.1\nport = " + port + "\n");
        Process passwd = new ProcessBuilder(home.resolve("bin/cairn-passwd").toString(), "-c", "-b", "etc/passwd",
                "ann", "right").directory(home.toFile()).redirectErrorStream(true).start();
        assertThat(passwd.waitFor(60, TimeUnit.SECONDS) && passwd.exitValue() == 0).as("cairn-passwd").isTrue();
        Files.writeString(home.resolve("etc/acl"), "user ann\ntopic write allowed/#\n");
        Files.writeString(home.resolve("etc/io.cairn.auth.file-local.cfg"),
                "passwordFile = etc/passwd\naclFile = etc/acl\n");
        Files.copy(Runtimes.jar(home.resolve("plugins"), "cairn-auth-file-"), home.resolve("deploy/cairn-auth-file.jar"));
        cairn = Main.launch(home, java.util.Map.of());
        cairn.awaitStartup(Duration.ofSeconds(90));
        await("secure listener open").atMost(Duration.ofSeconds(30)).until(() -> Runtimes.isOpen(port));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cairn != null) {
            cairn.stop(Duration.ofSeconds(30));
        }
    }

    private static Result pub(String version, String user, String password, String topic, int qos) throws Exception {
        List<String> command = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-V", version, "-q", String.valueOf(qos), "-t", topic, "-m", "x", "-i", "pub-" + version, "-d"));
        if (user != null) {
            command.addAll(List.of("-u", user, "-P", password));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(CLIENT_SECONDS, TimeUnit.SECONDS)).as("mosquitto_pub finished").isTrue();
        return new Result(p.exitValue(), output);
    }

    private record Result(int exitCode, String output) {
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    @DisplayName("a wrong password is refused as bad user name or password, no credentials as not authorized")
    void refusedCredentials(String version) throws Exception {
        Result wrong = pub(version, "ann", "wrong", "allowed/a", 0);
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
        assertThat(wrong.output()).as(wrong.output()).containsIgnoringCase("bad user name or password");
        Result none = pub(version, null, null, "allowed/a", 0);
        assertThat(none.exitCode()).as(none.output()).isNotZero();
        assertThat(none.output()).as(none.output()).containsIgnoringCase("not authori");
        Result right = pub(version, "ann", "right", "allowed/a", 1);
        assertThat(right.exitCode()).as(right.output()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    @DisplayName("a QoS 1 publish the ACL denies: MQTT 5 gets PUBACK 0x87 (135), 3.1.1 a plain PUBACK")
    void deniedPublish(String version) throws Exception {
        Result denied = pub(version, "ann", "right", "forbidden/a", 1);
        assertThat(denied.output()).as(denied.output()).contains("received PUBACK");
        if (version.equals("mqttv5")) {
            assertThat(denied.output()).as(denied.output()).contains("RC:135");
        } else {
            assertThat(denied.output()).as(denied.output()).doesNotContain("RC:135");
            assertThat(denied.exitCode()).as(denied.output()).isZero();
        }
    }
}
