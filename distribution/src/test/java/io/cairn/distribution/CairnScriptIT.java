package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cairn} as an operator uses it: {@code -d}, {@code status} and {@code stop} with their exit codes,
 * JVM options from {@code etc/jvm.options} and {@code JAVA_OPTS}, and the exit codes that say what went wrong.
 */
class CairnScriptIT {

    @TempDir
    Path temp;

    private Path home;

    /** What a run of bin/cairn printed and its exit code. */
    record Run(int code, String output) {
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        if (home != null && Files.exists(home.resolve("data/cairn.pid"))) {
            cairn(Map.of(), "stop");
        }
    }

    private Run cairn(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return cairn(home, environment, args);
    }

    private static Run cairn(Path home, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/cairn").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().putAll(environment);
        // -d leaves the broker running with its output in log/console.log: the script's own output ends with it
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(150, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/cairn " + String.join(" ", args) + " did not end: " + output);
        }
        return new Run(process.exitValue(), output);
    }

    private Path runtime() throws IOException {
        home = Runtimes.copy(temp.resolve("cairn"));
        return home;
    }

    @Test
    @DisplayName("-d waits for the ready line; status, stop and a second -d answer with their exit codes; "
            + "etc/jvm.options and then JAVA_OPTS reach the JVM")
    void backgroundStatusStopAndJvmOptions() throws Exception {
        runtime();
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Files.writeString(home.resolve("etc/jvm.options"), "\n# test options\n  -Xmx200m  \n"
                + "-Dcairn.test.greeting=hello from jvm.options\n", StandardOpenOption.APPEND);

        assertThat(cairn(Map.of(), "status")).isEqualTo(new Run(3, "cairn: not running\n"));

        Run started = cairn(Map.of("JAVA_OPTS", "-Xmx300m"), "-d");
        assertThat(started.code()).as(started.output()).isZero();
        assertThat(started.output()).contains("started in the background (pid ", "Cairn ", " ready (8 plugins, 1 "
                + "listener)", "listeners: mqtt://127.0.0.1:" + port);
        assertThat(Runtimes.isOpen(port)).isTrue();

        Run status = cairn(Map.of(), "status");
        assertThat(status.code()).isZero();
        long pid = Long.parseLong(Files.readString(home.resolve("data/cairn.pid")).strip());
        assertThat(status.output()).isEqualTo("cairn: running (pid " + pid + ")\n");
        List<String> arguments = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
        assertThat(arguments).contains("-Dcairn.test.greeting=hello from jvm.options", "-Xmx1g", "-Xmx200m",
                "-Xmx300m");
        assertThat(arguments.indexOf("-Xmx1g")).as("the shipped -Xmx1g comes first")
                .isLessThan(arguments.indexOf("-Xmx200m"));
        assertThat(arguments.indexOf("-Xmx200m")).as("JAVA_OPTS after etc/jvm.options")
                .isLessThan(arguments.indexOf("-Xmx300m"));

        Run again = cairn(Map.of(), "-d");
        assertThat(again).isEqualTo(new Run(4, "cairn: already running (pid " + pid + ")\n"));

        try (PahoClient client = new PahoClient(port, "script-client")) {
            client.connect(true);
            client.disconnect();
        }

        assertThat(cairn(Map.of(), "stop")).isEqualTo(new Run(0, "cairn: stopped\n"));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(home.resolve("data/cairn.pid")).doesNotExist();
        assertThat(cairn(Map.of(), "status").code()).isEqualTo(3);
        assertThat(cairn(Map.of(), "stop")).isEqualTo(new Run(0, "cairn: not running\n"));
        assertThat(Files.readString(home.resolve("log/console.log"))).contains("Cairn stopped in");
    }

    @Test
    @DisplayName("a broker that dies during start-up makes -d fail with 7 and show why; a start with problems gives 8")
    void startupFailureAndProblems() throws Exception {
        runtime();
        Runtimes.setDefaultPort(home, Runtimes.freePort());
        // a system bundle that is not a jar: the launcher cannot install it and exits with 7
        Path broken = home.resolve("system/2/broken.jar");
        Files.writeString(broken, "not a jar");
        Run failed = cairn(Map.of(), "-d");
        assertThat(failed.code()).as(failed.output()).isEqualTo(7);
        assertThat(failed.output()).contains("the broker ended during start-up (exit code 7)",
                "Cairn could not start from " + home.toRealPath(), "broken.jar");
        assertThat(home.resolve("data/cairn.pid")).doesNotExist();

        // a plugin that does not resolve: the broker runs without it, and -d says so once the start-up wait ends
        Files.delete(broken);
        Files.write(home.resolve("deploy/future.jar"), futureBundle());
        Run problems = cairn(Map.of("JAVA_OPTS", "-Dcairn.startup.timeout=3"), "-d");
        assertThat(problems.code()).as(problems.output()).isEqualTo(8);
        assertThat(problems.output()).contains("but not everything came up", "started with problems",
                "io.cairn.test.future");
        assertThat(cairn(Map.of(), "status").code()).as("the broker runs").isZero();
        assertThat(cairn(Map.of(), "stop").code()).isZero();
    }

    @Test
    @DisplayName("bad arguments give 2, no java 5, a folder that is no runtime 6, and a stale pid file 1 for status")
    void exitCodes() throws Exception {
        runtime();
        Run usage = cairn(Map.of(), "start");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.output()).contains("unknown argument 'start'");

        Run noJava = cairn(Map.of("JAVA_HOME", temp.resolve("no-such-jdk").toString()), "-d");
        assertThat(noJava.code()).isEqualTo(5);
        assertThat(noJava.output()).contains("no java found");

        Path notRuntime = temp.resolve("elsewhere");
        Files.createDirectories(notRuntime.resolve("bin"));
        Files.copy(home.resolve("bin/cairn"), notRuntime.resolve("bin/cairn"));
        Run wrongFolder = cairn(notRuntime, Map.of(), "status");
        assertThat(wrongFolder.code()).isEqualTo(6);
        assertThat(wrongFolder.output()).contains(notRuntime.toRealPath() + " is not a Cairn runtime folder");

        // a pid file left by a broker killed with SIGKILL names a process that is not this runtime's
        Files.writeString(home.resolve("data/cairn.pid"), ProcessHandle.current().pid() + "\n");
        Run stale = cairn(Map.of(), "status");
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.output()).contains("not running, but data/cairn.pid is left");
        Files.delete(home.resolve("data/cairn.pid"));
    }

    /** A bundle needing a version of the broker API that no runtime has. */
    private static byte[] futureBundle() throws IOException {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes main = manifest.getMainAttributes();
        main.putValue("Manifest-Version", "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.cairn.test.future");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "io.cairn.api.broker;version=\"[9.0,10)\"");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes, manifest)) {
            jar.flush();
        }
        return bytes.toByteArray();
    }
}
