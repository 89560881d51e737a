package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the kernel without OSGi on the Java module path: every bundle jar is also a named JPMS module (bnd writes
 * its module-info), so a plain JVM with {@code --module-path} starts an embedded broker from them.
 */
class ModulePathIT {

    @TempDir
    Path temp;

    @Test
    @DisplayName("the bundle jars are named modules and an embedded broker serves a client from the module path")
    void embeddedBrokerOnTheModulePath() throws Exception {
        Path runtime = Runtimes.assembled();
        List<Path> modules = new ArrayList<>();
        modules.addAll(jars(runtime.resolve("system/2"), "cairn-api-", "cairn-kernel-", "netty-"));
        modules.addAll(jars(runtime.resolve("system/1"), "slf4j-api-", "logback-"));
        modules.addAll(jars(runtime.resolve("deploy"), "cairn-transport-tcp-", "cairn-persistence-mem-"));
        String modulePath = String.join(File.pathSeparator, modules.stream().map(Path::toString).toList());
        Path testClasses = Path.of(ModulePathMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.leakDetection.level=PARANOID",
                "-Dcairn.home=" + temp,
                "-Dlogback.configurationFile=" + runtime.resolve("etc/logback.xml"),
                "--module-path", modulePath,
                "--add-modules", "ALL-MODULE-PATH",
                "-cp", testClasses.toString(),
                ModulePathMain.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ProcessOutput output = new ProcessOutput(process.getInputStream(), "module-path JVM");
        try {
            await("LISTENING line").atMost(Duration.ofSeconds(60))
                    .failFast("the JVM exited:\n" + output.text(), () -> !process.isAlive())
                    .until(() -> output.contains("LISTENING "));
            assertThat(output.lines()).contains(
                    "MODULE io.cairn.kernel io.cairn.kernel.embedded.EmbeddedBroker",
                    "MODULE io.cairn.transport.tcp io.cairn.transport.tcp.TcpTransport",
                    "MODULE io.cairn.persistence.mem io.cairn.persistence.mem.MemorySessionStore",
                    "MODULE io.cairn.api io.cairn.api.broker.Broker",
                    "MODULE io.netty.transport io.netty.channel.Channel");
            int port = output.lines().stream().filter(line -> line.startsWith("LISTENING "))
                    .map(line -> Integer.parseInt(line.substring("LISTENING ".length()).trim()))
                    .findFirst().orElseThrow();

            try (PahoClient client = new PahoClient(port, "module-path")) {
                client.connect(true);
                client.subscribe("modules/#", 2);
                client.publish("modules/hello", "from the module path", 2);
                assertThat(client.next(10)).isEqualTo(
                        new PahoClient.Received("modules/hello", "from the module path", 2));
                client.disconnect();
            }

            try (OutputStream in = process.getOutputStream()) {
                in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped:\n" + output.text()).isTrue();
            assertThat(process.exitValue()).as("exit code:\n" + output.text()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> output.contains("STOPPED"));
            assertThat(output.lines()).as("Netty leak reports").noneMatch(line -> line.contains("LEAK:"));
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<Path> jars(Path dir, String... prefixes) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.toString().endsWith(".jar"))
                    .filter(f -> Stream.of(prefixes).anyMatch(p -> f.getFileName().toString().startsWith(p)))
                    .sorted()
                    .toList();
            assertThat(jars).as("jars in " + dir + " starting with " + List.of(prefixes)).isNotEmpty();
            return jars;
        }
    }
}
