package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interceptor bundle (the topic-rewrite example from {@code plugins/}) installed, updated and uninstalled in a
 * running broker (a real Felix from the assembled distribution) while a Paho client, connected before any of it,
 * publishes numbered QoS 1 messages: the plugin covers that client from its next message, and every message the
 * broker acknowledged arrives exactly once, either rewritten or not, never lost or doubled by a chain change. And a
 * faulty plugin (a test fixture): served around, then quarantined.
 */
class InterceptorDeployIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MAX_MESSAGES = 20_000;

    @TempDir
    Path temp;

    private Cairn cairn;

    @AfterEach
    void stop() {
        Runtimes.stop(cairn);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("install, update and uninstall the topic-rewrite plugin under QoS 1 traffic: each acknowledged "
            + "message once, rewritten while the plugin is there")
    void installUpdateUninstallUnderTraffic() throws Exception {
        int port = Runtimes.freePort();
        cairn = Runtimes.launchReady(temp.resolve("cairn"), port);
        Path home = cairn.home();
        Map<Integer, String> received = new ConcurrentHashMap<>();
        CopyOnWriteArrayList<String> duplicates = new CopyOnWriteArrayList<>();
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        try (PahoClient subscriber = new PahoClient(port, "dashboard");
             PahoClient publisher = new PahoClient(port, "legacy-device")) {
            subscriber.connect(true);
            subscriber.subscribe("#", 1);
            publisher.connect(true);
            Thread collector = new Thread(() -> {
                try {
                    for (PahoClient.Received r; (r = subscriber.next(60)) != null; ) {
                        int seq = Integer.parseInt(r.payload());
                        if (received.putIfAbsent(seq, r.topic()) != null) {
                            duplicates.add(r.topic() + " " + seq);
                        }
                    }
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            }, "collector");
            collector.setDaemon(true);
            collector.start();
            int[] next = {0};
            Runnable publishSome = () -> {
                for (int i = 0; i < 20 && next[0] < MAX_MESSAGES; i++, next[0]++) {
                    try {
                        publisher.publish("sensors/s1/temp", Integer.toString(next[0]), 1);
                        acked.add(next[0]);
                    } catch (Exception e) {
                        throw new AssertionError("publish " + next[0] + " failed", e);
                    }
                }
            };

            publishSome.run();
            await("plain messages").atMost(WAIT).until(() -> received.size() >= 20);
            assertThat(received.values()).containsOnly("sensors/s1/temp");

            // 1. install: the rule, then the bundle
            Files.writeString(home.resolve("etc/io.cairn.example.rewrite-legacy.cfg"),
                    "from = sensors/+/temp\nto = plant/{1}/temperature\n");
            Path shipped = Runtimes.jar(home.resolve("plugins"), "cairn-example-topic-rewrite-");
            Path deployed = home.resolve("deploy").resolve(shipped.getFileName());
            Files.copy(shipped, deployed);
            await("the publisher, connected before, covered").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        publishSome.run();
                        return received.containsValue("plant/s1/temperature");
                    });

            // 2. update: a changed jar over the old one, traffic going on
            Path rebuilt = temp.resolve("rebuilt.jar");
            rebuild(shipped, rebuilt);
            Files.copy(rebuilt, deployed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long updateStarted = System.nanoTime();
            await("traffic through the update").atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                publishSome.run();
                return System.nanoTime() - updateStarted > TimeUnit.SECONDS.toNanos(4);
            });
            int afterUpdate = next[0];
            publishSome.run();
            await("rewritten after the update").atMost(WAIT).until(() -> "plant/s1/temperature"
                    .equals(received.get(afterUpdate)));

            // 3. uninstall
            Files.delete(deployed);
            await("plain again after the uninstall").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        int from = next[0];
                        publishSome.run();
                        return "sensors/s1/temp".equals(received.get(from));
                    });

            await("everything acknowledged arrives").atMost(WAIT).until(() -> received.keySet().containsAll(acked));
            assertThat(duplicates).as("messages delivered twice").isEmpty();
            assertThat(received.values()).containsOnly("sensors/s1/temp", "plant/s1/temperature");
            collector.interrupt();
        }
        String events = Files.readString(home.resolve("log/events.log"));
        assertThat(events).contains("Plugin io.cairn.example.rewrite").contains(" updated from ")
                .contains(" uninstalled");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("a plugin whose interceptors stall and throw: other clients are served meanwhile; past its error "
            + "budget it is quarantined (stopped, logged, shown in $SYS) and the broker keeps serving")
    void faultyPluginQuarantined() throws Exception {
        int port = Runtimes.freePort();
        cairn = Runtimes.launchReady(temp.resolve("cairn"), port);
        Path home = cairn.home();
        try (PahoClient dashboard = new PahoClient(port, "dashboard");
             PahoClient watcher = new PahoClient(port, "watcher");
             PahoClient steady = new PahoClient(port, "steady-device");
             PahoClient slowpoke = new PahoClient(port, "slow-device");
             PahoClient buggy = new PahoClient(port, "buggy-device")) {
            dashboard.connect(true);
            dashboard.subscribe("#", 1);
            watcher.connect(true);
            watcher.subscribe("$SYS/broker/plugins/acme.faulty/#", 0);
            for (PahoClient c : List.of(steady, slowpoke, buggy)) {
                c.connect(true);
            }
            Map<String, String> plugin = new ConcurrentHashMap<>();
            Thread watching = follow(watcher, plugin);

            writeFaultyBundle(home.resolve("deploy/acme-faulty-1.0.0.jar"));
            await("the faulty plugin active").atMost(WAIT).until(() -> "active".equals(plugin.get("state")));

            // a lookup that answers far past its budget holds the slow device's message, and only that
            CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> {
                try {
                    slowpoke.publish("slow/1", "held", 1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < 20; i++) {
                steady.publish("steady/" + i, "ok", 1);
                assertThat(dashboard.next(10)).as("steady message %d while the slow one is held", i)
                        .extracting(PahoClient.Received::topic).isEqualTo("steady/" + i);
            }
            assertThat(slow).as("the slow device's message still waits for its lookup").isNotDone();
            // past the budget the failure outcome (pass) applies: acknowledged and delivered
            slow.get(30, TimeUnit.SECONDS);
            assertThat(dashboard.next(10)).extracting(PahoClient.Received::topic).isEqualTo("slow/1");

            // each throw passes the message; the failure that exceeds the budget of 100 quarantines the plugin
            for (int i = 0; i < 100; i++) {
                buggy.publish("faulty/" + i, "x", 1);
                assertThat(dashboard.next(10)).extracting(PahoClient.Received::topic).isEqualTo("faulty/" + i);
            }
            // state and problem are two retained messages, the log line is written once the bundle stopped
            await("quarantined").atMost(WAIT).until(() -> "quarantined".equals(plugin.get("state"))
                    && plugin.getOrDefault("problem", "").startsWith("quarantined"));
            assertThat(plugin.get("problem")).startsWith("quarantined: its interceptors failed 100 time(s) with an "
                    + "exception and 1 time(s) over their time budget; last: onPublish to 'faulty/99' of client "
                    + "'buggy-device' threw java.lang.IllegalStateException: cannot parse faulty/99");
            await("the quarantine logged").atMost(WAIT).until(() -> Files.readString(home.resolve("log/cairn.log"))
                    .contains("Plugin acme.faulty 1.0.0 quarantined (stopped until restarted or updated)"));

            // the broker goes on, without the plugin: the slow topic is no longer held
            for (PahoClient c : List.of(steady, buggy, slowpoke)) {
                c.publish("faulty/after", "ok", 1);
                assertThat(dashboard.next(10)).extracting(PahoClient.Received::topic).isEqualTo("faulty/after");
            }
            slowpoke.publish("slow/2", "ok", 1);
            assertThat(dashboard.next(10)).extracting(PahoClient.Received::topic).isEqualTo("slow/2");
            watching.interrupt();
        }
    }

    /** Follows the retained {@code $SYS/broker/plugins/<name>/<key>} topics into {@code values} by key. */
    private static Thread follow(PahoClient watcher, Map<String, String> values) {
        Thread t = new Thread(() -> {
            try {
                for (PahoClient.Received r; (r = watcher.next(120)) != null; ) {
                    values.put(r.topic().substring(r.topic().lastIndexOf('/') + 1), r.payload());
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }, "sys-watcher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The fixture plugin ({@code io.cairn.distribution.fixture.faulty}) as a bundle, from the compiled test classes:
     * never loaded here (the API is not on the test JVM's class path), only packed.
     */
    private static void writeFaultyBundle(Path jar) throws Exception {
        String pkg = "io/cairn/distribution/fixture/faulty/";
        Path classes = Path.of("target/test-classes").resolve(pkg);
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes main = manifest.getMainAttributes();
        main.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "acme.faulty");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", "io.cairn.distribution.fixture.faulty.FaultyActivator");
        main.putValue("Import-Package", "io.cairn.api.intercept;version=\"[1.0,2)\","
                + "io.cairn.api.message;version=\"[1.0,2)\",org.osgi.framework;version=\"[1.8,2)\"");
        Path part = jar.resolveSibling(jar.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(part); JarOutputStream bundle = new JarOutputStream(out, manifest);
             java.util.stream.Stream<Path> files = Files.list(classes)) {
            for (Path file : files.sorted().toList()) {
                bundle.putNextEntry(new JarEntry(pkg + file.getFileName()));
                Files.copy(file, bundle);
                bundle.closeEntry();
            }
        }
        Files.move(part, jar); // FileInstall sees the finished jar only
    }

    /** The same bundle with one more resource: another checksum, so FileInstall updates the installed bundle. */
    private static void rebuild(Path jar, Path into) throws Exception {
        try (JarFile in = new JarFile(jar.toFile()); OutputStream raw = Files.newOutputStream(into);
             JarOutputStream out = new JarOutputStream(raw, in.getManifest())) {
            for (JarEntry entry : java.util.Collections.list(in.entries())) {
                if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("rebuilt.txt"));
            out.write("rebuilt for the update test\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
