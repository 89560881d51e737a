package io.cairn.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.felix.framework.FrameworkFactory;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The plugin inventory in a real Felix framework laid out like a runtime folder ({@code system/} and
 * {@code deploy/}), with bundles that resolve, one that needs an API version nobody offers, and one that needs a
 * package only an unresolved bundle offers: what {@code cairn:plugins} shows and what {@code $SYS/broker/plugins/}
 * carries, as bundles come and go.
 */
class PluginsTest {

    @TempDir
    Path home;

    private Framework framework;
    private BundleContext context;
    private EmbeddedBroker broker;
    private PluginInventory inventory;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(home.resolve("system/2"));
        Files.createDirectories(home.resolve("deploy"));
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, home.resolve("data/cache").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                "cairn.home", home.toString()));
        framework.start();
        context = framework.getBundleContext();
        broker = EmbeddedBroker.builder()
                .settings(BrokerSettings.builder().build())
                .transport(new TcpTransport("default", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
        inventory = new PluginInventory(context);
    }

    @AfterEach
    void stop() throws Exception {
        inventory.close();
        broker.close();
        framework.stop();
        framework.waitForStop(10_000);
    }

    @Test
    @DisplayName("plugins: bundles from deploy/ with version and state, the missing requirement of one that does "
            + "not resolve; system bundles only with -a")
    void pluginsCommand() throws Exception {
        Bundle system = install("system/2/core.jar", "acme.core", "1.0.0",
                Map.of(Constants.EXPORT_PACKAGE, "acme.core;version=1.0.0"));
        system.start();
        Bundle good = install("deploy/good.jar", "acme.good", "2.1.0",
                Map.of(Constants.IMPORT_PACKAGE, "acme.core;version=\"[1,2)\""));
        good.start();
        Bundle tooNew = install("deploy/too-new.jar", "acme.toonew", "1.0.0",
                Map.of(Constants.IMPORT_PACKAGE, "io.cairn.api.broker;version=\"[9,10)\""));
        Bundle base = install("deploy/base.jar", "acme.base", "1.0.0",
                Map.of(Constants.EXPORT_PACKAGE, "acme.base;version=1.0.0",
                        Constants.IMPORT_PACKAGE, "acme.absent"));
        Bundle dependent = install("deploy/dependent.jar", "acme.dependent", "1.0.0",
                Map.of(Constants.IMPORT_PACKAGE, "acme.base"));
        context.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class)
                .resolveBundles(List.of(tooNew, base, dependent));

        List<PluginInventory.Plugin> plugins = inventory.plugins(false);
        assertThat(plugins).extracting(PluginInventory.Plugin::symbolicName)
                .containsExactly("acme.good", "acme.toonew", "acme.base", "acme.dependent");
        assertThat(plugins.get(0)).extracting(PluginInventory.Plugin::version, PluginInventory.Plugin::state,
                PluginInventory.Plugin::problem).containsExactly("2.1.0", "active", "");
        assertThat(plugins.get(1).state()).isEqualTo("installed");
        assertThat(plugins.get(1).problem()).isEqualTo("does not resolve: missing requirement osgi.wiring.package; "
                + "(&(osgi.wiring.package=io.cairn.api.broker)(version>=9.0.0)(!(version>=10.0.0)))");
        assertThat(plugins.get(2).problem()).isEqualTo("does not resolve: missing requirement osgi.wiring.package; "
                + "(osgi.wiring.package=acme.absent)");
        assertThat(plugins.get(3).problem()).isEqualTo("does not resolve: missing requirement osgi.wiring.package; "
                + "(osgi.wiring.package=acme.base), offered only by acme.base 1.0.0, which does not resolve");

        String table = gogo("cairn:plugins");
        assertThat(table.lines()).anySatisfy(line -> assertThat(line.split("  +"))
                .containsExactly(String.valueOf(good.getBundleId()), "acme.good", "2.1.0", "active"));
        assertThat(table.lines()).anySatisfy(line -> assertThat(line).contains("acme.toonew", "installed",
                "does not resolve: missing requirement", "io.cairn.api.broker"));
        assertThat(table).doesNotContain("acme.core").endsWith("4 plugins installed\n");
        assertThat(gogo("cairn:plugins -a")).contains("acme.core").endsWith("5 bundles installed\n");
        assertThat(system.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    @DisplayName("$SYS/broker/plugins/<name>/version, state and problem follow the plugins as they come and go")
    void sysTopics() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        MqttClient subscriber = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), "watcher",
                new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                String value = new String(message.getPayload(), StandardCharsets.UTF_8);
                if (value.isEmpty()) {
                    seen.remove(topic);
                } else {
                    seen.put(topic, value);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        subscriber.connect(new MqttConnectOptions());
        subscriber.subscribe("$SYS/broker/plugins/#", 0);
        install("system/2/core.jar", "acme.core", "1.0.0", Map.of()).start();
        Bundle good = install("deploy/good.jar", "acme.good", "2.1.0", Map.of());
        good.start();

        SysPlugins sys = new SysPlugins(broker.broker(), context);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "$SYS/broker/plugins/acme.good/version", "2.1.0",
                    "$SYS/broker/plugins/acme.good/state", "active")));

            Bundle broken = install("deploy/broken.jar", "acme.broken", "0.9.0",
                    Map.of(Constants.IMPORT_PACKAGE, "acme.absent"));
            good.stop();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "$SYS/broker/plugins/acme.good/version", "2.1.0",
                    "$SYS/broker/plugins/acme.good/state", "resolved",
                    "$SYS/broker/plugins/acme.broken/version", "0.9.0",
                    "$SYS/broker/plugins/acme.broken/state", "installed",
                    "$SYS/broker/plugins/acme.broken/problem",
                    "does not resolve: missing requirement osgi.wiring.package; (osgi.wiring.package=acme.absent)")));

            broken.uninstall();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).containsOnlyKeys(
                    "$SYS/broker/plugins/acme.good/version", "$SYS/broker/plugins/acme.good/state"));

            // a client that subscribes later gets the retained tree
            Map<String, String> late = new ConcurrentHashMap<>();
            MqttClient second = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), "late",
                    new MemoryPersistence());
            second.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    late.put(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            second.connect(new MqttConnectOptions());
            second.subscribe("$SYS/broker/plugins/#", 0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(late).isEqualTo(Map.of(
                    "$SYS/broker/plugins/acme.good/version", "2.1.0",
                    "$SYS/broker/plugins/acme.good/state", "resolved")));
            second.disconnect();
            second.close();
        } finally {
            sys.deactivate();
        }
        await().atMost(Duration.ofSeconds(10)).until(seen::isEmpty);
        subscriber.disconnect();
        subscriber.close();
    }

    private String gogo(String command) throws Exception {
        ThreadIOImpl threadIO = new ThreadIOImpl();
        threadIO.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("cairn", new BrokerCommands(broker.broker(), inventory));
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new ByteArrayOutputStream())) {
            return String.valueOf(session.execute(command));
        } finally {
            processor.stop();
            threadIO.stop();
        }
    }

    /** Writes a bundle (a jar with only a manifest) to {@code home/<path>} and installs it from there. */
    private Bundle install(String path, String name, String version, Map<String, String> headers)
            throws Exception {
        Path jar = home.resolve(path);
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, name);
        main.putValue(Constants.BUNDLE_VERSION, version);
        headers.forEach(main::putValue);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream bundle = new JarOutputStream(out, manifest)) {
            bundle.finish(); // the manifest is the whole bundle
        } catch (IOException e) {
            throw new IOException("cannot write " + jar, e);
        }
        return context.installBundle(jar.toUri().toString());
    }
}
