package io.cairn.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import io.cairn.api.broker.Broker;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.hamcrest.Matcher;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.cm.ConfigurationAdminOptions;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Runs inside an OSGi framework provisioned by Pax Exam with the bundles of the assembled runtime: the kernel's
 * {@link Broker} service is injected, a TCP listener is configured through Config Admin on a free port, and a Paho
 * client (a bundle in the same framework) connects, publishes and receives.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KernelPaxExamIT {

    private static final String LISTENER = "paxexam";
    /** The listener's port, chosen outside the framework and handed in (the class is loaded twice). */
    private static final String PORT_PROPERTY = "cairn.paxexam.port";

    @Inject
    private Broker broker;

    @Configuration
    public Option[] configuration() throws IOException, URISyntaxException {
        Path runtime = Runtimes.assembled();
        Path home = Path.of("target", "paxexam-home").toAbsolutePath();
        Files.createDirectories(home.resolve("log"));
        int port = Runtimes.freePort();
        List<Option> options = new ArrayList<>();
        options.add(systemProperty(PORT_PROPERTY).value(String.valueOf(port)));
        options.add(cleanCaches());
        options.add(workingDirectory(Path.of("target", "paxexam").toAbsolutePath().toString()));
        options.add(systemProperty("cairn.home").value(home.toString()));
        options.add(systemProperty("logback.configurationFile").value(runtime.resolve("etc/logback.xml").toString()));
        // logging first, or SLF4J latches to its no-op logger before logback is registered
        for (Path jar : jars(runtime.resolve("system/1"))) {
            options.add(bundle(jar.toUri().toString()).startLevel(1));
        }
        for (Path jar : jars(runtime.resolve("system/2"))) {
            options.add(bundle(jar.toUri().toString()).startLevel(2).start(!isFragment(jar)));
        }
        for (Path jar : jars(runtime.resolve("deploy"))) {
            options.add(bundle(jar.toUri().toString()).startLevel(3));
        }
        // test-side bundles: the client and the waiting helper
        for (Class<?> type : new Class<?>[] {MqttClient.class, Awaitility.class, Matcher.class}) {
            options.add(bundle(type.getProtectionDomain().getCodeSource().getLocation().toURI().toString()));
        }
        options.add(junitBundles());
        options.add(ConfigurationAdminOptions.factoryConfiguration("io.cairn.transport.tcp")
                .put("name", LISTENER).put("host", "127.0.0.1").put("port", String.valueOf(port))
                .put("allowAnonymous", "true").asOption());
        return options(options.toArray(new Option[0]));
    }

    @Test
    public void brokerServesAListenerConfiguredThroughConfigAdmin() throws Exception {
        int port = Integer.getInteger(PORT_PROPERTY);
        await("listener " + LISTENER + " open").atMost(Duration.ofSeconds(30))
                .until(() -> listener().isPresent());
        assertEquals(new ListenerInfo(LISTENER, "mqtt", "127.0.0.1", port), listener().orElseThrow());

        try (PahoClient client = new PahoClient(port, "paxexam-client")) {
            client.connect(true);
            client.subscribe("paxexam/#", 1);
            client.publish("paxexam/from-client", "published by a client", 1);
            assertEquals(new PahoClient.Received("paxexam/from-client", "published by a client", 1), client.next(10));

            assertTrue("the broker lists the client on its listener: " + broker.clients(),
                    broker.clients().stream().anyMatch(c -> c.clientId().equals("paxexam-client")
                            && c.listener().equals(LISTENER)));
            broker.publish(Message.of("paxexam/from-service", "published by the Broker service"
                    .getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false));
            assertEquals(new PahoClient.Received("paxexam/from-service", "published by the Broker service", 1),
                    client.next(10));
            assertTrue(broker.statistics().messagesReceived() >= 1);
            client.disconnect();
        }
    }

    private Optional<ListenerInfo> listener() {
        return broker.listeners().stream().filter(l -> l.name().equals(LISTENER)).findFirst();
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static boolean isFragment(Path jar) throws IOException {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        }
    }
}
