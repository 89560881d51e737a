package io.cairn.auth.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.testing.AuthFixtures;
import io.cairn.auth.file.FileAuthenticator;
import io.cairn.auth.file.MosquittoTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdToolTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new PasswdTool(new PrintStream(err, true, StandardCharsets.UTF_8), null).run(args);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static Authentication.Kind check(Path file, String user, String password) throws Exception {
        try (FileAuthenticator authenticator = FileAuthenticator.builder(file).build()) {
            Authentication a = authenticator.authenticate(AuthFixtures.connect(user, password));
            return a.kind() == Authentication.Kind.LATER
                    ? a.answer().toCompletableFuture().get(20, TimeUnit.SECONDS).kind() : a.kind();
        }
    }

    @Test
    @DisplayName("-c -b creates a 0600 file of $7$ entries with 20,000 iterations that the file authenticator accepts")
    void createsAFileTheAuthenticatorAccepts() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(run("-c", "-b", file.toString(), "alice", "s3cret")).isZero();

        String text = Files.readString(file);
        assertThat(text).startsWith("alice:$7$20000$").endsWith("\n");
        assertThat(PasswordFile.load(file).users().get("alice").iterations()).isEqualTo(20_000);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(check(file, "alice", "s3cret")).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(check(file, "alice", "wrong")).isEqualTo(Authentication.Kind.REJECT);
        assertThat(dir.toFile().list()).containsExactly("passwd");
    }

    @Test
    @DisplayName("-H argon2id writes an Argon2id entry (19 MiB, 2 passes, 1 lane) that the file authenticator accepts")
    void argon2idEntries() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(run("-c", "-b", "-H", "argon2id", file.toString(), "alice", "s3cret")).isZero();
        assertThat(Files.readString(file)).startsWith("alice:$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(check(file, "alice", "s3cret")).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(check(file, "alice", "wrong")).isEqualTo(Authentication.Kind.REJECT);
    }

    @Test
    @DisplayName("adding, updating and deleting users keeps the other lines, comments included")
    void updatesAndDeletes() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(run("-c", "-b", "-I", "1000", file.toString(), "alice", "a1")).isZero();
        Files.writeString(file, "# team\n" + Files.readString(file));
        assertThat(run("-b", "-I", "1000", file.toString(), "bob", "b1")).isZero();
        assertThat(run("-b", "-I", "1000", file.toString(), "alice", "a2")).isZero();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("# team");
        assertThat(lines.get(1)).startsWith("alice:$7$1000$");
        assertThat(lines.get(2)).startsWith("bob:$7$1000$");
        assertThat(check(file, "alice", "a2")).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(check(file, "alice", "a1")).isEqualTo(Authentication.Kind.REJECT);

        assertThat(run("-D", file.toString(), "alice")).isZero();
        assertThat(PasswordFile.load(file).users()).containsOnlyKeys("bob");
        assertThat(run("-D", file.toString(), "alice")).isEqualTo(PasswdTool.FAILED);
        assertThat(errors()).contains("user alice is not in " + file);
    }

    @Test
    @DisplayName("bad command lines exit with 2 and the usage; failures exit with 1 and say why")
    void exitCodes() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(run()).isEqualTo(PasswdTool.USAGE);
        assertThat(run("-x", file.toString(), "u")).isEqualTo(PasswdTool.USAGE);
        assertThat(run("-c", "-D", file.toString(), "u")).isEqualTo(PasswdTool.USAGE);
        assertThat(run("-H", "argon2", "-b", file.toString(), "u", "p")).isEqualTo(PasswdTool.USAGE);
        assertThat(run("-I", "0", "-b", file.toString(), "u", "p")).isEqualTo(PasswdTool.USAGE);
        assertThat(errors()).contains("Usage: cairn-passwd");

        assertThat(run("-b", file.toString(), "u", "p")).isEqualTo(PasswdTool.FAILED);
        assertThat(errors()).contains(file + " does not exist (use -c to create it)");
        assertThat(run("-c", "-b", file.toString(), "a:b", "p")).isEqualTo(PasswdTool.FAILED);
        assertThat(run("-c", file.toString(), "u")).isEqualTo(PasswdTool.FAILED);
        assertThat(errors()).contains("no console to read the password from");

        Files.writeString(file, "broken\n");
        assertThat(run("-b", file.toString(), "u", "p")).isEqualTo(PasswdTool.FAILED);
        assertThat(errors()).contains(file + ":1: no ':'");
        assertThat(Files.readString(file)).isEqualTo("broken\n");
    }

    @Test
    @DisplayName("the tool runs with nothing but the bundle's classes on the class path (no SLF4J)")
    void runsWithoutDependencies() throws Exception {
        String classes = System.getProperty("cairn.classes");
        assertThat(classes).as("system property cairn.classes (set by the POM)").isNotBlank();
        Path file = dir.resolve("passwd");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        MosquittoTools.Result result = MosquittoTools.run(java, "-cp", classes, PasswdTool.class.getName(), "-c", "-b",
                "-I", "1000", file.toString(), "alice", "pw");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(check(file, "alice", "pw")).isEqualTo(Authentication.Kind.ACCEPT);
    }

    @Test
    @DisplayName("Mosquitto accepts a file written by cairn-passwd: mosquitto_pub connects with the right password only")
    void mosquittoAcceptsOurFile() throws Exception {
        MosquittoTools.require(MosquittoTools.BROKER);
        MosquittoTools.require(MosquittoTools.PUB);
        Path file = dir.resolve("passwd");
        assertThat(run("-c", "-b", file.toString(), "alice", "s3cret")).isZero();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + port + " 127.0.0.1", "allow_anonymous false", "password_file " + file,
                "persistence false", "log_dest stderr",
                // started as root, Mosquitto switches to user mosquitto, which cannot read a 0600 file of ours
                "user " + System.getProperty("user.name"), ""));
        Process broker = new ProcessBuilder(MosquittoTools.BROKER.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            MosquittoTools.Result good = publishUntilListening(port, "s3cret", broker);
            assertThat(good.exitCode()).as(() -> good.output() + "\nmosquitto: " + log(dir)).isZero();
            MosquittoTools.Result bad = MosquittoTools.run(MosquittoTools.PUB.toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(port), "-u", "alice", "-P", "wrong", "-t", "t", "-m", "x");
            assertThat(bad.exitCode()).isNotZero();
            assertThat(bad.output()).containsIgnoringCase("not authori");
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** Publishes with the right password, retrying while the broker is not yet listening. */
    private static MosquittoTools.Result publishUntilListening(int port, String password, Process broker)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            MosquittoTools.Result r = MosquittoTools.run(MosquittoTools.PUB.toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(port), "-u", "alice", "-P", password, "-t", "t", "-m", "x");
            boolean refused = r.output().contains("Connection refused") && !r.output().contains("authori");
            if (!refused || System.nanoTime() > deadline || !broker.isAlive()) {
                return r;
            }
        }
    }
}
