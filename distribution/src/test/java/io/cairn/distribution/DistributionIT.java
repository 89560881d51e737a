package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Boots a copy of the assembled runtime folder in an embedded Felix through {@link Main#launch}, and drives it
 * with a client we did not write (Eclipse Paho) while plugins and configuration files come and go.
 */
class DistributionIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT_DEPLOY = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Cairn cairn;

    @AfterEach
    void stopAndCheckLeaks() throws Exception {
        if (cairn != null) {
            assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
            assertNoLeaks(cairn.home());
        }
    }

    private Cairn boot(Path home) throws Exception {
        cairn = Main.launch(home, java.util.Map.of());
        Startup startup = cairn.awaitStartup(STARTUP);
        assertThat(cairn.bundleProblems()).as("bundles neither ACTIVE nor resolved fragments").isEmpty();
        assertThat(startup.problems()).as("what did not come up").isEmpty();
        return cairn;
    }

    @Test
    @DisplayName("the runtime comes up with every bundle active and reports it in one ready line")
    void everyBundleIsActive() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);

        boot(home);

        Bundle[] bundles = cairn.framework().getBundleContext().getBundles();
        assertThat(Arrays.stream(bundles).map(Bundle::getSymbolicName)).contains("io.cairn.api", "io.cairn.kernel",
                "io.cairn.transport.tcp", "io.cairn.transport.tls", "io.cairn.transport.ws", "io.cairn.persistence.mem",
                "io.netty.tcnative-classes", "io.netty.tcnative-boringssl-static", "io.netty.codec-http", "org.apache.felix.scr",
                "org.apache.felix.fileinstall", "org.apache.felix.configadmin", "ch.qos.logback.classic");
        for (Bundle bundle : bundles) {
            boolean fragment = bundle.getHeaders("").get("Fragment-Host") != null;
            assertThat(bundle.getState()).as(bundle.getSymbolicName())
                    .isEqualTo(fragment ? Bundle.RESOLVED : Bundle.ACTIVE);
        }
        Startup startup = cairn.awaitStartup(Duration.ZERO);
        assertThat(startup.summary()).matches("Cairn \\S+ ready \\(8 plugins, 1 listener\\) in \\d+\\.\\d s; "
                + "listeners: mqtt://127\\.0\\.0\\.1:" + port + "; plugins: io\\.cairn\\.bridge \\S+, "
                + "io\\.cairn\\.management \\S+, io\\.cairn\\.metrics \\S+, "
                + "io\\.cairn\\.persistence\\.file \\S+, io\\.cairn\\.persistence\\.mem \\S+, "
                + "io\\.cairn\\.transport\\.tcp \\S+, io\\.cairn\\.transport\\.tls \\S+, io\\.cairn\\.transport\\.ws \\S+");
        assertThat(startup.listeners()).containsExactly("mqtt://127.0.0.1:" + port);
        assertThat(Runtimes.isOpen(port)).isTrue();
    }

    @Test
    @DisplayName("clients publish and receive; sessions survive the transport bundle being deleted and redeployed")
    void transportRedeployKeepsSessions() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        boot(home);

        // a real client publishes and receives through the default listener
        try (PahoClient client = new PahoClient(port, "dist-echo")) {
            client.connect(true);
            client.subscribe("dist/echo", 1);
            client.publish("dist/echo", "hello", 1);
            assertThat(client.next(10)).isEqualTo(new PahoClient.Received("dist/echo", "hello", 1));
            client.disconnect();
        }

        // a persistent session with a QoS 1 subscription, then offline
        try (PahoClient away = new PahoClient(port, "dist-persistent")) {
            assertThat(away.connect(false)).as("session present on first connect").isFalse();
            away.subscribe("dist/queue", 1);
            away.disconnect();
        }

        Bundle kernel = bundle("io.cairn.kernel").orElseThrow();
        long kernelId = kernel.getBundleId();
        Path deployed = Runtimes.jar(home.resolve("deploy"), "cairn-transport-tcp-");
        Path parked = Files.move(deployed, temp.resolve(deployed.getFileName()));

        await("port " + port + " closed after the transport jar left deploy/").atMost(HOT_DEPLOY)
                .until(() -> !Runtimes.isOpen(port));
        await("transport bundle uninstalled").atMost(HOT_DEPLOY)
                .until(() -> bundle("io.cairn.transport.tcp").isEmpty());
        assertThat(bundle("io.cairn.kernel")).get()
                .satisfies(b -> assertThat(b.getBundleId()).isEqualTo(kernelId))
                .satisfies(b -> assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));

        Files.copy(parked, deployed);
        await("port " + port + " open again after the jar came back").atMost(HOT_DEPLOY)
                .until(() -> Runtimes.isOpen(port));
        assertThat(kernel.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(bundle("io.cairn.kernel").map(Bundle::getBundleId)).contains(kernelId);

        try (PahoClient publisher = new PahoClient(port, "dist-publisher")) {
            publisher.connect(true);
            publisher.publish("dist/queue", "while you were away", 1);
            publisher.disconnect();
        }
        try (PahoClient back = new PahoClient(port, "dist-persistent")) {
            assertThat(back.connect(false)).as("session present on reconnect").isTrue();
            assertThat(back.next(10)).isEqualTo(new PahoClient.Received("dist/queue", "while you were away", 1));
            back.disconnect();
        }
    }

    @Test
    @DisplayName("a listener file dropped into etc/ opens a listener; a bad one is reported and deleting it closes it")
    void listenerConfigurationIsHot() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        boot(home);

        Path extra = home.resolve("etc/io.cairn.transport.tcp-extra.cfg");
        Files.writeString(extra, "name = extra\nhost = 127.0.0.1\nport = 0\nallowAnonymous = true\n");
        await("second listener open").atMost(HOT_DEPLOY).until(() -> cairn.listeners().size() == 2);
        String uri = cairn.listeners().stream().filter(u -> !u.endsWith(":" + port)).findFirst().orElseThrow();
        int extraPort = Integer.parseInt(uri.substring(uri.lastIndexOf(':') + 1));

        try (PahoClient subscriber = new PahoClient(port, "dist-sub");
             PahoClient publisher = new PahoClient(extraPort, "dist-pub")) {
            subscriber.connect(true);
            subscriber.subscribe("dist/across", 0);
            publisher.connect(true);
            publisher.publish("dist/across", "from the extra listener", 0);
            assertThat(subscriber.next(10)).isEqualTo(
                    new PahoClient.Received("dist/across", "from the extra listener", 0));
            subscriber.disconnect();
            publisher.disconnect();
        }

        // an invalid change is logged naming the file and the key; the listener keeps its port
        Files.writeString(extra, "name = extra\nhost = 127.0.0.1\nport = 99999\nallowAnonymous = true\n");
        Path log = home.resolve("log/cairn.log");
        await("error naming the file and the key").atMost(HOT_DEPLOY).until(() -> Files.readString(log)
                .lines().anyMatch(line -> line.contains("ERROR") && line.contains(extra.getFileName().toString())
                        && line.contains("key port")));
        assertThat(Runtimes.isOpen(extraPort)).isTrue();

        Files.delete(extra);
        await("extra listener closed").atMost(HOT_DEPLOY).until(() -> !Runtimes.isOpen(extraPort));
        assertThat(cairn.listeners()).containsExactly("mqtt://127.0.0.1:" + port);
    }

    @Test
    @DisplayName("a listener port in use at startup is logged naming the file; the broker runs and takes a fix")
    void portInUseAtStartup() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Runtimes.setDefaultPort(home, taken.getLocalPort());
            cairn = Main.launch(home, java.util.Map.of());
            Startup startup = cairn.awaitStartup(STARTUP);

            assertThat(startup.problems()).isEmpty();
            assertThat(startup.summary()).contains("ready (8 plugins, 0 listeners)");
            Path cfg = home.resolve("etc/io.cairn.transport.tcp-default.cfg");
            assertThat(Files.readAllLines(home.resolve("log/cairn.log"))).anyMatch(line -> line.contains("ERROR")
                    && line.contains(cfg.toString()) && line.contains("127.0.0.1:" + taken.getLocalPort())
                    && line.contains("Address already in use"));
        }
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        await("listener open on the corrected port").atMost(HOT_DEPLOY).until(() -> Runtimes.isOpen(port));
        assertThat(cairn.listeners()).containsExactly("mqtt://127.0.0.1:" + port);
        assertThat(cairn.bundleProblems()).isEmpty();
    }

    @Test
    @DisplayName("a plugin needing an API version the runtime lacks does not resolve, and the reason is shown")
    void unresolvablePluginIsReported() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        boot(home);

        Path plugin = home.resolve("deploy/future-plugin.jar");
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes main = manifest.getMainAttributes();
        main.putValue("Manifest-Version", "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.cairn.test.future");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "io.cairn.api.broker;version=\"[9.0,10)\"");
        Path staging = temp.resolve("future-plugin.jar");
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(Files.newOutputStream(staging),
                manifest)) {
            jar.flush();
        }
        Files.move(staging, plugin);

        await("the plugin is reported with the resolver's reason").atMost(HOT_DEPLOY)
                .until(() -> cairn.bundleProblems().stream().anyMatch(p -> p.contains("io.cairn.test.future")
                        && p.contains("io.cairn.api.broker") && p.contains("9.0")));
        assertThat(Files.readString(home.resolve("log/cairn.log"))).contains("io.cairn.test.future");
        assertThat(Runtimes.isOpen(port)).as("the broker keeps serving").isTrue();

        Files.delete(plugin);
        await("uninstalled with its jar").atMost(HOT_DEPLOY).until(() -> cairn.bundleProblems().isEmpty());
    }

    private Optional<Bundle> bundle(String symbolicName) {
        return Arrays.stream(cairn.framework().getBundleContext().getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst();
    }

    /** Netty's leak detector (PARANOID in tests) logs "LEAK:" for a buffer collected unreleased. */
    private static void assertNoLeaks(Path home) throws Exception {
        List<String> leaks = Files.readAllLines(home.resolve("log/cairn.log")).stream()
                .filter(line -> line.contains("LEAK:"))
                .toList();
        assertThat(leaks).as("Netty leak reports in log/cairn.log").isEmpty();
    }
}
