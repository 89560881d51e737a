package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The file authentication plugin in a real Felix runtime: dropped into {@code deploy/} while clients are
 * connected, its password file changed while the broker runs (with {@code bin/cairn-passwd}), then removed; a
 * listener that allows no anonymous clients follows each step, and the ACL applies to clients that were
 * connected before it came.
 */
class AuthFileDeployIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(30);
    private static final int ACCEPTED = 0;
    private static final int BAD_CREDENTIALS = 4;
    private static final int NOT_AUTHORIZED = 5;

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
    @DisplayName("auth-file dropped into deploy/ secures a listener at once; a changed password works without a "
            + "restart; removing the plugin leaves the listener denying everyone")
    void hotDeployedFileAuthentication() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int open = Runtimes.freePort();
        Runtimes.setDefaultPort(home, open);
        int secure = Runtimes.freePort();
        Files.writeString(home.resolve("etc/io.cairn.transport.tcp-secure.cfg"),
                "host = 127.0.0.1\nport = " + secure + "\n");
        cairn = Main.launch(home, java.util.Map.of());
        cairn.awaitStartup(STARTUP);
        await("secure listener open").atMost(HOT).until(() -> Runtimes.isOpen(secure));

        // without an authenticator, the listener that does not allow anonymous clients lets nobody in
        assertThat(refusal(secure, "early", "ann", "first")).isEqualTo(NOT_AUTHORIZED);

        // a client of the anonymous 127.0.0.1 listener, connected before the plugin comes, subscribed to all
        try (PahoClient watcher = new PahoClient(open, "watcher")) {
            watcher.connect(true);
            watcher.subscribe("#", 1);

            passwd(home, "-c", "-b", "etc/passwd", "ann", "first");
            Files.writeString(home.resolve("etc/acl"), """
                    # anonymous clients: read the public tree only
                    topic read public/#

                    user ann
                    topic readwrite #
                    """);
            Files.writeString(home.resolve("etc/io.cairn.auth.file-local.cfg"),
                    "passwordFile = etc/passwd\naclFile = etc/acl\n");
            Files.copy(Runtimes.jar(home.resolve("plugins"), "cairn-auth-file-"),
                    home.resolve("deploy/cairn-auth-file.jar"));

            await("ann let in by the file authenticator").atMost(HOT)
                    .until(() -> refusal(secure, "ann-1", "ann", "first") == ACCEPTED);
            assertThat(refusal(secure, "ann-wrong", "ann", "second")).isEqualTo(BAD_CREDENTIALS);
            assertThat(refusal(secure, "nobody", null, null)).isEqualTo(NOT_AUTHORIZED);

            // the ACL covers the client that was connected before: it now reads public/# only
            try (PahoClient ann = new PahoClient(secure, "ann-publisher")) {
                assertThat(ann.tryConnect("ann", "first")).isEqualTo(ACCEPTED);
                ann.publish("private/note", "not for anonymous readers", 1);
                ann.publish("public/news", "for everyone", 1);
                assertThat(watcher.next(10)).isEqualTo(new PahoClient.Received("public/news", "for everyone", 1));
                ann.disconnect();
            }

            // a new password applies within seconds, without a restart
            passwd(home, "-b", "etc/passwd", "ann", "second");
            await("the new password works").atMost(HOT)
                    .until(() -> refusal(secure, "ann-2", "ann", "second") == ACCEPTED);
            assertThat(refusal(secure, "ann-old", "ann", "first")).isEqualTo(BAD_CREDENTIALS);

            // the plugin goes: the secure listener denies everyone again, it does not open
            Files.delete(home.resolve("deploy/cairn-auth-file.jar"));
            await("auth-file uninstalled").atMost(HOT).until(() -> Arrays.stream(
                    cairn.framework().getBundleContext().getBundles())
                    .noneMatch(b -> "io.cairn.auth.file".equals(b.getSymbolicName())));
            assertThat(refusal(secure, "ann-3", "ann", "second")).isEqualTo(NOT_AUTHORIZED);
            assertThat(refusal(secure, "nobody-2", null, null)).isEqualTo(NOT_AUTHORIZED);
            assertThat(watcher.isConnected()).as("the anonymous listener's client stays connected").isTrue();
            watcher.disconnect();
        }
        assertThat(cairn.bundleProblems()).isEmpty();
        assertThat(Arrays.stream(cairn.framework().getBundleContext().getBundles()).map(Bundle::getState))
                .allMatch(state -> state == Bundle.ACTIVE || state == Bundle.RESOLVED);
    }

    /** Connects, disconnects if let in, and returns 0 or the CONNACK return code of the refusal. */
    private static int refusal(int port, String clientId, String username, String password) throws Exception {
        try (PahoClient c = new PahoClient(port, clientId)) {
            int code = c.tryConnect(username, password);
            if (code == ACCEPTED) {
                c.disconnect();
            }
            return code;
        }
    }

    /** Runs the distribution's bin/cairn-passwd in {@code home}. */
    private static void passwd(Path home, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = home.resolve("bin/cairn-passwd").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("cairn-passwd finished").isTrue();
        assertThat(p.exitValue()).as("cairn-passwd exit code; output: " + output).isZero();
    }
}
